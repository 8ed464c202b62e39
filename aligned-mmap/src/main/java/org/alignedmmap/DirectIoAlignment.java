package org.alignedmmap;

import java.nio.channels.FileChannel;

/**
 * What {@code O_DIRECT} I/O on one file must be aligned to, and where the answer came from.
 *
 * <p>Two authorities disagree on the same file. The kernel needs buffers aligned to {@link
 * #memory()} and file offsets and lengths aligned to {@link #offset()}: 512 bytes for ext4 on a
 * disk with 512-byte sectors. The JDK's {@link FileChannel} opened with {@code
 * com.sun.nio.file.ExtendedOpenOption.DIRECT} checks buffer address, length and file position
 * against its own block size, the file store's ({@link java.nio.file.FileStore#getBlockSize()},
 * {@code statvfs}'s {@code f_frsize}: 4096 on ext4), and refuses anything less with an {@code
 * IOException} ("... is not a multiple of the block size") before the kernel sees it. Use
 * {@link #fileChannel()} with {@code FileChannel}, and the kernel's values only for I/O that
 * bypasses it.
 *
 * @param memory the alignment the kernel demands of buffer addresses, a power of two. Buffers at a
 *     multiple of it are always accepted; recent kernels (seen on 6.18) also accept some that are
 *     not, as long as each page's part of the buffer is whole blocks, which is not to be relied on
 * @param offset the alignment the kernel demands of file offsets and transfer lengths, a power of two
 * @param source where {@code memory} and {@code offset} come from
 * @param fileStoreBlockSize the block size of the file store, which {@code FileChannel} checks
 *     against
 */
public record DirectIoAlignment(long memory, long offset, Source source, long fileStoreBlockSize) {
    /** Where the kernel's alignment was learnt. */
    public enum Source {
        /**
         * {@code statx(2)} with {@code STATX_DIOALIGN} (Linux 6.1+, where the file system reports
         * it, such as ext4, xfs and f2fs): the file system's own answer for this very file.
         */
        STATX_DIOALIGN,
        /**
         * The logical block size of the block device the file system lives on ({@code
         * /sys/dev/block/<major>:<minor>/queue/logical_block_size}), for both memory and offset:
         * what {@code O_DIRECT} needed before file systems could say more, and a safe choice.
         */
        LOGICAL_BLOCK_SIZE,
        /**
         * Neither of the above could tell (no {@code STATX_DIOALIGN}, no block device behind the
         * file system, as for tmpfs or NFS): the file store's block size, the JDK's own
         * assumption. Such a file system may also refuse {@code O_DIRECT} altogether.
         */
        FILE_STORE_BLOCK_SIZE
    }

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if {@code memory} or {@code offset} is not a power of two,
     *     {@code fileStoreBlockSize} is not positive, or {@code source} is null
     */
    public DirectIoAlignment {
        if (Long.bitCount(memory) != 1 || memory < 0) {
            throw new IllegalArgumentException("memory must be a power of two, was " + memory);
        }
        if (Long.bitCount(offset) != 1 || offset < 0) {
            throw new IllegalArgumentException("offset must be a power of two, was " + offset);
        }
        if (fileStoreBlockSize <= 0) {
            throw new IllegalArgumentException("fileStoreBlockSize must be > 0, was " + fileStoreBlockSize);
        }
        if (source == null) {
            throw new IllegalArgumentException("source must not be null");
        }
    }

    /**
     * Returns the alignment to use with {@link FileChannel} and {@code ExtendedOpenOption.DIRECT}
     * for buffer addresses, transfer lengths and file positions alike: a multiple of what the
     * kernel demands and of what the JDK checks, so that both accept it. Pass it to {@link
     * Aligned#allocate} and size and place transfers in multiples of it.
     *
     * @return the largest of {@link #memory()}, {@link #offset()} and {@link #fileStoreBlockSize()}
     */
    public long fileChannel() {
        return Math.max(fileStoreBlockSize, Math.max(memory, offset));
    }
}
