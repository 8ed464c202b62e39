/**
 * JMH microbenchmarks: {@code mvn -pl aligned-mmap-bench -am -DskipTests package}, then
 * {@code java --add-modules jdk.incubator.vector -jar aligned-mmap-bench/target/benchmarks.jar}.
 * The side-by-side comparison with peers is {@link org.alignedmmap.bench.Compare}.
 */
package org.alignedmmap.bench.jmh;
