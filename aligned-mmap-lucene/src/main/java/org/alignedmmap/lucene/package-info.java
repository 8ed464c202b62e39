/**
 * {@link org.alignedmmap.lucene.AlignedMMapDirectory}: Lucene's {@code MMapDirectory} on aligned,
 * huge-page-backed mappings. Adopt it by changing one constructor.
 */
package org.alignedmmap.lucene;
