package org.alignedmmap.lucene;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.alignedmmap.HugePageOutputStream;
import org.alignedmmap.HugePageReport;
import org.alignedmmap.HugePages;
import org.alignedmmap.SystemAlignment;
import org.apache.lucene.store.FSLockFactory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.LockFactory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.store.OutputStreamIndexOutput;
import org.apache.lucene.store.ReadAdvice;
import org.apache.lucene.store.ReadOnceHint;
import org.apache.lucene.util.Constants;
import org.apache.lucene.util.Unwrappable;

/**
 * Lucene's {@link MMapDirectory}, on mappings made with aligned-mmap so that large index files
 * are read through transparent huge pages. Adopt it by changing one constructor (it is an {@code
 * MMapDirectory}, so code that configures one with {@link #setPreload}, {@link #setReadAdvice}
 * or {@link #setGroupingFunction}, or tests {@code instanceof MMapDirectory}, keeps working):
 *
 * <pre>{@code
 * Directory dir = new AlignedMMapDirectory(Path.of("index"));   // was: new MMapDirectory(...)
 * }</pre>
 *
 * <h2>What it does</h2>
 * <ul>
 *   <li><b>Reading.</b> {@link #openInput} maps each file read-only in one piece (any size, no
 *       chunks). A file of at least {@link Builder#minHugePageFileSize(long)} bytes (default:
 *       one transparent huge page) is mapped at an address aligned to the transparent huge page
 *       size of the system, congruent with its file offset 0, and advised {@code MADV_HUGEPAGE}
 *       (the library's {@link HugePages#TRANSPARENT}), so that every whole huge page of it the
 *       page cache holds in a huge folio is mapped by one PMD entry instead of 512 page table
 *       entries. Smaller files are mapped as {@code MMapDirectory} maps them.
 *   <li><b>Writing.</b> {@link #createOutput} writes each file in whole huge-page blocks at
 *       aligned offsets, so that a file system with large folios (ext4 on Linux 6.16+, XFS)
 *       caches what Lucene has just written in huge folios, which the mappings then map with
 *       huge pages; Lucene's own output writes 8 KiB at a time, which leaves the page cache in
 *       small folios that no mapping can map with huge pages until they are evicted.
 *       {@link Builder#rebuildPageCache(boolean)} also helps files written by someone else.
 *   <li><b>Inputs.</b> Its {@link IndexInput}s are Lucene's {@code MemorySegmentAccessInput}s
 *       (so the vector scorers read vectors in place, as with {@code MMapDirectory}), {@code
 *       RandomAccessInput}s, with slices, clones, {@code prefetch} ({@code MADV_WILLNEED}),
 *       {@code updateIOContext} and {@code isLoaded}; they read as Lucene's own inputs read,
 *       straight from a {@link MemorySegment}.
 *   <li><b>Lifetime.</b> As in {@code MMapDirectory}, the files of one segment share one
 *       reference-counted shared arena ({@link Builder#grouping(Function)}), so that closing a
 *       segment's dozen files costs one thread handshake instead of a dozen; {@link
 *       IOContext#READONCE} files get a confined arena, whose close is free. A closed input, or a
 *       clone of it used after the file is unmapped, throws {@link
 *       org.apache.lucene.store.AlreadyClosedException}, never touches unmapped memory.
 * </ul>
 *
 * <p>{@link #getMaxChunkSize()} is inherited and means nothing here: every file is mapped in
 * one piece, whatever its size.
 *
 * <h2>Faults</h2>
 * As with {@code MMapDirectory}: a file deleted while open stays readable (its mapping keeps
 * it); a file truncated under an open input makes reads of the lost pages throw the JVM's {@link
 * InternalError} ("a fault occurred in an unsafe memory access operation") instead of crashing,
 * since every read is a Java access to a memory segment.
 *
 * <p>The JVM should run with {@code --enable-native-access=org.alignedmmap} (module path) or
 * {@code --enable-native-access=ALL-UNNAMED} (class path), as the library asks.
 */
public class AlignedMMapDirectory extends MMapDirectory {
    /** The buffer of Lucene's own file outputs, and of ours in front of the block writer. */
    private static final int OUTPUT_CHUNK = 8192;

    private final Settings settings;
    private final SharedArenaGroup arenas = new SharedArenaGroup();
    /** What {@link #setPreload}, {@link #setReadAdvice} and {@link #setGroupingFunction} set. */
    private volatile BiPredicate<String, IOContext> preload;
    private volatile BiFunction<String, IOContext, Optional<ReadAdvice>> readAdvice;
    private volatile Function<String, Optional<String>> grouping;
    /** Whether huge pages are asked for: the builder says so and the system has them. */
    private final boolean hugePages;

    /**
     * Creates a directory with the defaults ({@link #builder(Path)}) and {@link
     * FSLockFactory#getDefault()}. The directory is created if it does not exist.
     *
     * @param path the directory
     * @throws IOException if it cannot be created or opened
     */
    public AlignedMMapDirectory(Path path) throws IOException {
        this(path, FSLockFactory.getDefault());
    }

    /**
     * Creates a directory with the defaults ({@link #builder(Path)}) and a lock factory, as
     * {@link MMapDirectory#MMapDirectory(Path, LockFactory)}; the constructor Lucene's test
     * framework calls for {@code -Dtests.directory}.
     *
     * @param path the directory
     * @param lockFactory the lock factory
     * @throws IOException if it cannot be created or opened
     */
    public AlignedMMapDirectory(Path path, LockFactory lockFactory) throws IOException {
        this(path, lockFactory, Settings.DEFAULTS);
    }

    private AlignedMMapDirectory(Path path, LockFactory lockFactory, Settings settings) throws IOException {
        super(path, lockFactory);
        this.settings = settings;
        this.preload = settings.preload();
        this.readAdvice = settings.readAdvice();
        this.grouping = settings.grouping();
        this.hugePages = settings.hugePages() && HugePages.TRANSPARENT.isAvailable();
    }

    /**
     * Starts a directory with non-default settings.
     *
     * <pre>{@code
     * Directory dir = AlignedMMapDirectory.builder(Path.of("index"))
     *         .minHugePageFileSize(64L << 20)   // only files of 64 MiB or more
     *         .readAdvice(ReadAdvice.RANDOM)
     *         .build();
     * }</pre>
     *
     * @param path the directory
     * @return a builder with the defaults
     * @throws NullPointerException if {@code path} is null
     */
    public static Builder builder(Path path) {
        return new Builder(Objects.requireNonNull(path, "path"));
    }

    /**
     * Tells whether this directory maps large files for transparent huge pages: the setting,
     * and the system's support (THP mode {@code always} or {@code madvise}).
     *
     * @return true if {@link #openInput} asks for huge pages
     */
    public boolean usesHugePages() {
        return hugePages;
    }

    @Override
    public IndexInput openInput(String name, IOContext context) throws IOException {
        ensureOpen();
        ensureCanRead(name);
        Path path = Unwrappable.unwrapAll(directory.resolve(name));
        String description = "AlignedMMapIndexInput(path=\"" + directory.resolve(name) + "\")";
        long size = Files.size(path);
        BiFunction<String, IOContext, Optional<ReadAdvice>> advice = readAdvice;
        ReadAdvice fallback = settings.defaultReadAdvice();
        Function<IOContext, ReadAdvice> toReadAdvice = c -> advice.apply(name, c).orElse(fallback);
        if (size == 0) {
            return new AlignedIndexInput(description, null, MemorySegment.NULL, 0, null, toReadAdvice);
        }
        boolean confined = context.hints().contains(ReadOnceHint.INSTANCE);
        Arena arena = confined ? Arena.ofConfined() : arenas.acquire(name, grouping);
        boolean huge = hugePages && size >= settings.minHugePageFileSize();
        try {
            MappedFile file = MappedFile.map(path, arena, huge, huge && settings.rebuildPageCache(),
                    preload.test(name, context), toReadAdvice.apply(context));
            return new AlignedIndexInput(description, file, file.segment(), 0, arena, toReadAdvice);
        } catch (Throwable t) {
            arena.close();
            throw t;
        }
    }

    /**
     * Chooses which files are faulted in when opened, as in {@link MMapDirectory} (default
     * {@link MMapDirectory#NO_FILES}); here through {@code MADV_POPULATE_READ} or {@code
     * MAP_POPULATE} (the library's {@code MmapOptions.populate}), which for huge page mappings
     * faults in whole huge pages.
     *
     * @param preload a predicate of the file name and the context it is opened with
     */
    @Override
    public void setPreload(BiPredicate<String, IOContext> preload) {
        super.setPreload(preload);
        this.preload = Objects.requireNonNull(preload, "preload");
    }

    /**
     * Sets per-file read advice, as in {@link MMapDirectory}; an empty answer means the
     * builder's {@link Builder#readAdvice(ReadAdvice) default}.
     *
     * @param toReadAdvice a function of the file name and the context it is opened with
     */
    @Override
    public void setReadAdvice(BiFunction<String, IOContext, Optional<ReadAdvice>> toReadAdvice) {
        super.setReadAdvice(toReadAdvice);
        this.readAdvice = Objects.requireNonNull(toReadAdvice, "toReadAdvice");
    }

    /**
     * Sets which files share an arena, as in {@link MMapDirectory}, for the files opened from now on.
     *
     * @param groupingFunction the group key of a file name, or empty for an arena of its own
     */
    @Override
    public void setGroupingFunction(Function<String, Optional<String>> groupingFunction) {
        super.setGroupingFunction(groupingFunction);
        this.grouping = Objects.requireNonNull(groupingFunction, "groupingFunction");
    }

    @Override
    public IndexOutput createOutput(String name, IOContext context) throws IOException {
        if (!settings.hugePageWrites()) {
            return super.createOutput(name, context);
        }
        // FSDirectory creates the file (CREATE_NEW, and its bookkeeping of pending deletions);
        // the bytes then go through the block writer.
        super.createOutput(name, context).close();
        return blockWriter(name);
    }

    @Override
    public IndexOutput createTempOutput(String prefix, String suffix, IOContext context) throws IOException {
        if (!settings.hugePageWrites()) {
            return super.createTempOutput(prefix, suffix, context);
        }
        String name;
        try (IndexOutput created = super.createTempOutput(prefix, suffix, context)) {
            name = created.getName();
        }
        return blockWriter(name);
    }

    private IndexOutput blockWriter(String name) throws IOException {
        Path path = directory.resolve(name);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE);
        try {
            return new OutputStreamIndexOutput("FSIndexOutput(path=\"" + path + "\")", name,
                    new BlockAlignedOutputStream(channel, HugePageOutputStream.blockSize()), OUTPUT_CHUNK);
        } catch (Throwable t) {
            channel.close();
            throw t;
        }
    }

    /**
     * Reports how much of an open input's file huge pages back, from {@code /proc/self/smaps}: the
     * library's {@link HugePageReport} of the input's mapping (for tests, monitoring and the
     * curious).
     *
     * @param input an input this directory opened (or a clone or slice of one)
     * @return the report, or empty for an empty file or an input of another directory
     * @throws org.apache.lucene.store.AlreadyClosedException if the input's file is unmapped
     */
    public static Optional<HugePageReport> hugePageReport(IndexInput input) {
        if (input instanceof AlignedIndexInput aligned) {
            return aligned.mappedFile().map(MappedFile::hugePageReport);
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "@" + directory + " lockFactory=" + lockFactory + " hugePages="
                + hugePages;
    }

    /**
     * The settings a {@link Builder} collects.
     *
     * @param hugePages map large files for transparent huge pages
     * @param minHugePageFileSize the smallest file mapped for them
     * @param hugePageWrites write outputs in whole huge-page blocks
     * @param rebuildPageCache rebuild the page cache of large files when opening them
     * @param readAdvice per-file advice, empty for the default
     * @param defaultReadAdvice the advice when {@code readAdvice} gives none
     * @param grouping the arena group of a file
     * @param preload the files to fault in when opened
     */
    private record Settings(boolean hugePages, long minHugePageFileSize, boolean hugePageWrites,
                            boolean rebuildPageCache,
                            BiFunction<String, IOContext, Optional<ReadAdvice>> readAdvice,
                            ReadAdvice defaultReadAdvice, Function<String, Optional<String>> grouping,
                            BiPredicate<String, IOContext> preload) {
        static final Settings DEFAULTS = new Settings(true, defaultMinHugePageFileSize(), true, false,
                (name, context) -> Optional.empty(), Constants.DEFAULT_READADVICE, MMapDirectory.GROUP_BY_SEGMENT,
                MMapDirectory.NO_FILES);
    }

    /** One transparent huge page: a smaller file cannot have a huge page mapped. */
    private static long defaultMinHugePageFileSize() {
        return SystemAlignment.transparentHugePageSize().orElse(HugePageOutputStream.blockSize());
    }

    /**
     * Collects the settings of an {@link AlignedMMapDirectory}; from {@link
     * AlignedMMapDirectory#builder(Path)}. Not thread-safe; {@link #build()} may be called any
     * number of times.
     */
    public static final class Builder {
        private final Path path;
        private LockFactory lockFactory = FSLockFactory.getDefault();
        private boolean hugePages = true;
        private long minHugePageFileSize = defaultMinHugePageFileSize();
        private boolean hugePageWrites = true;
        private boolean rebuildPageCache;
        private BiFunction<String, IOContext, Optional<ReadAdvice>> readAdvice = (name, context) -> Optional.empty();
        private ReadAdvice defaultReadAdvice = Constants.DEFAULT_READADVICE;
        private Function<String, Optional<String>> grouping = MMapDirectory.GROUP_BY_SEGMENT;
        private BiPredicate<String, IOContext> preload = MMapDirectory.NO_FILES;

        private Builder(Path path) {
            this.path = path;
        }

        /**
         * Sets the lock factory (default {@link FSLockFactory#getDefault()}).
         *
         * @param lockFactory the lock factory
         * @return this builder
         * @throws NullPointerException if {@code lockFactory} is null
         */
        public Builder lockFactory(LockFactory lockFactory) {
            this.lockFactory = Objects.requireNonNull(lockFactory, "lockFactory");
            return this;
        }

        /**
         * Chooses whether large files are mapped for transparent huge pages (default true; has
         * no effect where the system has none, see {@link AlignedMMapDirectory#usesHugePages()}).
         * Off, the directory maps like {@code MMapDirectory} (and still writes in blocks unless
         * {@link #hugePageWrites(boolean)} says otherwise).
         *
         * @param hugePages true to ask for huge pages
         * @return this builder
         */
        public Builder hugePages(boolean hugePages) {
            this.hugePages = hugePages;
            return this;
        }

        /**
         * Sets the smallest file mapped for huge pages (default: the transparent huge page size,
         * below which no huge page fits). Larger values spare small files the alignment's extra
         * {@code mmap} and {@code munmap} calls and keep their page cache in small folios.
         *
         * @param bytes the size, {@code >= 1}
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes < 1}
         */
        public Builder minHugePageFileSize(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("minHugePageFileSize must be >= 1, was " + bytes);
            }
            this.minHugePageFileSize = bytes;
            return this;
        }

        /**
         * Chooses whether outputs write whole aligned huge-page blocks (default true), so that
         * the page cache holds new files in huge folios. Off, outputs are {@code FSDirectory}'s.
         *
         * @param hugePageWrites true to write in blocks
         * @return this builder
         */
        public Builder hugePageWrites(boolean hugePageWrites) {
            this.hugePageWrites = hugePageWrites;
            return this;
        }

        /**
         * Chooses whether {@code openInput} rebuilds the page cache of a file mapped for huge
         * pages in huge folios (default false): it writes the file's dirty pages back and drops
         * its unmapped cached pages, so that the mapping reads them again in huge folios (see
         * the library's {@code MmapOptions.rebuildPageCache}). For indexes this directory did
         * not write (copied in, or written by {@code MMapDirectory}); the cost is reading the
         * file again from storage on every open that finds it unmapped.
         *
         * @param rebuildPageCache true to rebuild
         * @return this builder
         */
        public Builder rebuildPageCache(boolean rebuildPageCache) {
            this.rebuildPageCache = rebuildPageCache;
            return this;
        }

        /**
         * Sets the read advice for all files whose {@link #readAdvice(BiFunction)} gives none
         * (default Lucene's {@code Constants.DEFAULT_READADVICE}, NORMAL unless the system
         * property {@code org.apache.lucene.store.defaultReadAdvice} says otherwise).
         *
         * @param advice the advice
         * @return this builder
         * @throws NullPointerException if {@code advice} is null
         */
        public Builder readAdvice(ReadAdvice advice) {
            this.defaultReadAdvice = Objects.requireNonNull(advice, "advice");
            return this;
        }

        /**
         * Sets per-file read advice, as {@link MMapDirectory#setReadAdvice(BiFunction)}: a
         * function of the file name and the {@link IOContext} it is opened (or updated) with,
         * returning empty for the default. {@link MMapDirectory#ADVISE_BY_CONTEXT} follows the
         * context's hints.
         *
         * @param readAdvice the function (default: always empty)
         * @return this builder
         * @throws NullPointerException if {@code readAdvice} is null
         */
        public Builder readAdvice(BiFunction<String, IOContext, Optional<ReadAdvice>> readAdvice) {
            this.readAdvice = Objects.requireNonNull(readAdvice, "readAdvice");
            return this;
        }

        /**
         * Sets which files share an arena, as {@link MMapDirectory#setGroupingFunction(Function)}
         * (default {@link MMapDirectory#GROUP_BY_SEGMENT}; {@link MMapDirectory#NO_GROUPING}
         * gives every file an arena of its own, whose close costs a thread handshake each).
         *
         * @param grouping the group key of a file name, or empty for none
         * @return this builder
         * @throws NullPointerException if {@code grouping} is null
         */
        public Builder grouping(Function<String, Optional<String>> grouping) {
            this.grouping = Objects.requireNonNull(grouping, "grouping");
            return this;
        }

        /**
         * Chooses which files are faulted in when opened, as {@link
         * MMapDirectory#setPreload(BiPredicate)} (default {@link MMapDirectory#NO_FILES}).
         *
         * @param preload a predicate of the file name and the context it is opened with
         * @return this builder
         * @throws NullPointerException if {@code preload} is null
         */
        public Builder preload(BiPredicate<String, IOContext> preload) {
            this.preload = Objects.requireNonNull(preload, "preload");
            return this;
        }

        /**
         * Creates the directory (and the folder, if missing).
         *
         * @return the directory
         * @throws IOException if the folder cannot be created or opened
         */
        public AlignedMMapDirectory build() throws IOException {
            return new AlignedMMapDirectory(path, lockFactory, new Settings(hugePages, minHugePageFileSize,
                    hugePageWrites, rebuildPageCache, readAdvice, defaultReadAdvice, grouping, preload));
        }
    }
}
