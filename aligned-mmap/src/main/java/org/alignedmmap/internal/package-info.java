/**
 * Everything that touches the operating system: the libc downcall handles ({@link
 * org.alignedmmap.internal.LibC}), errno turned into exceptions ({@link
 * org.alignedmmap.internal.Errno}), the reserve-then-trim placement of aligned mappings
 * ({@link org.alignedmmap.internal.AlignedMapper}) and readings of the running system. Not
 * exported: its contracts may change in any release.
 */
package org.alignedmmap.internal;
