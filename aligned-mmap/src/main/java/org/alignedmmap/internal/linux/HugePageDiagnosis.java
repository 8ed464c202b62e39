package org.alignedmmap.internal.linux;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.alignedmmap.Backing;
import org.alignedmmap.HugePageObstacle;
import org.alignedmmap.HugePagePool;
import org.alignedmmap.HugePageReport;
import org.alignedmmap.TransparentHugePages;
import org.alignedmmap.internal.PowerOfTwo;

/**
 * Builds a {@link HugePageReport}: {@link #observe} gathers what the kernel says about one
 * mapping and the system (smaps, maps, mountinfo, vmstat, buddyinfo, sysfs), {@link #diagnose}
 * turns those observations into findings, a pure function that tests can feed with cases the
 * machine cannot produce (THP off, fragmentation).
 *
 * <h2>What is measured and what is inferred</h2>
 * Everything structural is read: THP modes, advice ({@code VmFlags}), lengths, addresses and
 * offsets, the file system and its options, untouched bytes ({@code Rss}), hugetlb pools. Two
 * things cannot be read by an unprivileged process and are inferred from the outcome:
 * <ul>
 *   <li>the size of the folios the page cache held before the mapping touched them. The
 *       baseline counts the range's cached pages ({@code cachestat}); when touched blocks then
 *       lack huge pages, those pages are named as the cause. Wrong when the cached pages were
 *       huge folios and the blocks failed for another reason (the report then lists that
 *       reason too, where it sees one);
 *   <li>fragmentation for the ordinary page cache, which has no fallback counter: named when
 *       touched blocks lack huge pages, nothing else explains it and {@code /proc/buddyinfo} has
 *       no free block of huge page size. For anonymous memory and shmem the kernel's counters
 *       are read instead (system-wide: another process's fallbacks count too).
 * </ul>
 */
public final class HugePageDiagnosis {
    /** This process's mappings, for the device a file mapping belongs to. */
    private static final Path PROC_MAPS = Path.of("/proc/self/maps");

    /**
     * Everything the diagnosis looks at, gathered at one moment.
     *
     * @param address the mapping's address
     * @param length its length
     * @param span its length rounded up to whole pages (whole huge pages for hugetlb)
     * @param fileOffset the file offset, -1 for anonymous memory
     * @param shmem whether shmem backs it (shared anonymous memory, a tmpfs file)
     * @param hugetlb whether it is a hugetlb mapping
     * @param hugePageSize the hugetlb page size, or the THP size (0: no THP)
     * @param rss what the mapping has mapped ({@code Rss}; hugetlb pages are not in it)
     * @param hugeBytes what of it is in huge pages ({@link Backing#hugePageBytes()})
     * @param advised every VMA carries {@code MADV_HUGEPAGE} ({@code hg})
     * @param advisedAgainst some VMA carries {@code MADV_NOHUGEPAGE} ({@code nh})
     * @param noReserve some VMA was made without a reservation ({@code nr})
     * @param mode the system-wide THP mode
     * @param sizeMode the mode for this huge page size (inherit, always, madvise, never), or ""
     * @param processDisabled whether the process switched THP off ({@code THP_enabled: 0})
     * @param fileSystem the verdict on the file system (or shmem), or null for private anonymous memory
     * @param baseline what was true before the mapping was touched, or null if not taken
     * @param counters the fallback counters now
     * @param freeHugeBlocks free memory blocks of huge page size, or empty if unknown
     * @param poolAvailable free, unreserved pages of the hugetlb pool of this size, -1 if unknown
     * @param defrag the THP defrag policy, or ""
     */
    public record Observation(long address, long length, long span, long fileOffset, boolean shmem, boolean hugetlb,
                              long hugePageSize, long rss, long hugeBytes, boolean advised, boolean advisedAgainst,
                              boolean noReserve, TransparentHugePages mode, String sizeMode, boolean processDisabled,
                              LargeFolioSupport.Verdict fileSystem, HugePageBaseline baseline,
                              Map<String, Long> counters, OptionalLong freeHugeBlocks, long poolAvailable,
                              String defrag) {
        boolean isFile() {
            return fileOffset >= 0;
        }
    }

    private HugePageDiagnosis() {}

    /**
     * Reports on a live mapping.
     *
     * @param address the mapping's address
     * @param length its length
     * @param span its length rounded up to its granule
     * @param fileOffset the file offset, or -1 for anonymous memory
     * @param shared whether the mapping is shared ({@code MAP_SHARED})
     * @param hugetlb whether it is a hugetlb mapping
     * @param granule its granule: the hugetlb page size, else the base page size
     * @param baseline its baseline, or null
     * @return the report
     * @throws UncheckedIOException if {@code /proc/self/smaps} cannot be read
     */
    public static HugePageReport report(long address, long length, long span, long fileOffset, boolean shared,
                                        boolean hugetlb, long granule, HugePageBaseline baseline) {
        return diagnose(observe(address, length, span, fileOffset, shared, hugetlb, granule, baseline));
    }

    /**
     * Gathers the observations of a live mapping; see {@link #report} for the parameters.
     *
     * @return the observations
     */
    static Observation observe(long address, long length, long span, long fileOffset, boolean shared, boolean hugetlb,
                               long granule, HugePageBaseline baseline) {
        List<Smaps.Vma> vmas;
        try (BufferedReader reader = Files.newBufferedReader(Smaps.SELF, StandardCharsets.US_ASCII)) {
            vmas = Smaps.overlapping(reader, address, address + span);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + Smaps.SELF, e);
        }
        Backing backing = Smaps.sum(vmas, address, address + span);
        boolean advisedAgainst = vmas.stream().anyMatch(v -> v.vmFlags().contains("nh"));
        boolean noReserve = vmas.stream().anyMatch(v -> v.vmFlags().contains("nr"));
        long thpSize = SysFs.transparentHugePageSize(SysFs.TRANSPARENT_HUGEPAGE).orElse(0);
        long hugePageSize = hugetlb ? granule : thpSize;
        Optional<String> shmemEnabled = ThpSettings.shmemEnabled(SysFs.TRANSPARENT_HUGEPAGE);
        LargeFolioSupport.Verdict fileSystem = null;
        boolean shmem = shared;
        if (fileOffset >= 0) {
            Optional<MountTable.Mount> mount = deviceOf(address).flatMap(d -> MountTable.ofDevice(MountTable.SELF,
                    d[0], d[1]));
            fileSystem = LargeFolioSupport.of(mount, System.getProperty("os.version", ""), shmemEnabled);
            shmem = mount.map(m -> m.type().equals("tmpfs")).orElse(false);
        } else if (shared) {
            fileSystem = LargeFolioSupport.ofShmem(shmemEnabled);
        }
        long pool = -1;
        if (hugetlb) {
            try {
                pool = SysFs.hugePagePools(SysFs.HUGEPAGES).stream().filter(p -> p.size() == granule)
                        .mapToLong(HugePagePool::available).findFirst().orElse(-1);
            } catch (RuntimeException unreadable) {
                // The finding that needs it is then left out.
            }
        }
        long page = LinuxSystem.basePageSize();
        return new Observation(address, length, span, fileOffset, shmem, hugetlb, hugePageSize, backing.rss(),
                backing.hugePageBytes(), backing.hugePageAdvised(), advisedAgainst, noReserve,
                SysFs.transparentHugePages(SysFs.TRANSPARENT_HUGEPAGE),
                thpSize > 0 ? ThpSettings.sizeEnabled(SysFs.TRANSPARENT_HUGEPAGE, thpSize).orElse("") : "",
                ThpSettings.processDisabled(ThpSettings.PROC_STATUS), fileSystem, baseline,
                ThpCounters.read(ThpCounters.VMSTAT),
                hugePageSize > page ? ThpCounters.freeHugeBlocks(ThpCounters.BUDDYINFO, hugePageSize, page)
                        : OptionalLong.empty(),
                pool, ThpSettings.defrag(SysFs.TRANSPARENT_HUGEPAGE).orElse(""));
    }

    /**
     * Turns observations into a report.
     *
     * @param o the observations
     * @return the report, findings most fundamental first
     */
    public static HugePageReport diagnose(Observation o) {
        List<HugePageReport.Finding> findings = new ArrayList<>();
        long h = o.hugePageSize();
        long resident = o.hugetlb() ? o.hugeBytes() : o.rss();
        if (o.hugetlb()) {
            long untouched = Math.max(0, o.span() - resident);
            if (untouched > 0) {
                long needed = untouched / h;
                if (o.noReserve() && o.poolAvailable() >= 0 && o.poolAvailable() < needed) {
                    findings.add(finding(HugePageObstacle.HUGETLB_POOL_EMPTY, "the mapping has no reservation"
                            + " (VmFlags nr) and " + needed + " untouched huge pages of " + h + " bytes; the pool has "
                            + o.poolAvailable() + " free and unreserved (" + SysFs.hugePoolDirectory(SysFs.HUGEPAGES, h)
                            + ")"));
                }
                findings.add(finding(HugePageObstacle.NOT_TOUCHED, untouched + " of " + o.span()
                        + " bytes have not been touched (hugetlb pages are taken at the first touch)"));
            }
            return new HugePageReport(o.length(), h, o.span(), resident, o.hugeBytes(), findings);
        }

        long eligible = eligibleBytes(o);
        long untouched = Math.max(0, o.span() - resident);
        long missing = missingHugeBytes(o, eligible, resident);
        // Everything that could be huge is: what would stand in the way of more does not matter.
        boolean complete = eligible > 0 && o.hugeBytes() >= eligible;
        boolean explained = false;
        if (!o.shmem() && !complete) {
            Optional<String> off = thpOff(o);
            if (off.isPresent()) {
                findings.add(finding(HugePageObstacle.THP_DISABLED, off.get()));
                explained = true;
            } else if (o.advisedAgainst() || (!o.advised() && (o.isFile() || effectiveMode(o).equals("madvise")))) {
                findings.add(finding(HugePageObstacle.NOT_ADVISED, o.advisedAgainst()
                        ? "the mapping carries MADV_NOHUGEPAGE (VmFlags nh)"
                        : (o.isFile() ? "the mapping lacks MADV_HUGEPAGE (VmFlags hg), without which page faults"
                                + " read a file into base-page folios whatever the mode"
                                : "THP mode " + effectiveMode(o)
                                        + " and the mapping lacks MADV_HUGEPAGE (VmFlags hg)")));
                explained = true;
            }
        }
        if (h > 0) {
            boolean congruent = !o.isFile() || Math.floorMod(o.address() - o.fileOffset(), h) == 0;
            if (o.isFile() && !congruent && o.length() >= h) {
                findings.add(finding(HugePageObstacle.OFFSET_NOT_CONGRUENT, "address 0x" + Long.toHexString(o.address())
                        + " is " + Math.floorMod(o.address(), h)
                                + " bytes into a huge page, file offset " + o.fileOffset()
                        + " is " + Math.floorMod(o.fileOffset(), h) + " bytes into one (huge page size " + h + ")"));
                explained = true;
            } else if (eligible == 0) {
                findings.add(finding(HugePageObstacle.SHORTER_THAN_HUGE_PAGE, o.length() < h
                        ? "the mapping is " + o.length() + " bytes, a huge page " + h
                        : "the mapping of " + o.length() + " bytes at 0x" + Long.toHexString(o.address())
                                + " covers no whole block of " + h + " bytes at a multiple of " + h));
                explained = true;
            } else if (Math.floorMod(o.address(), h) != 0) {
                long head = PowerOfTwo.alignUp(o.address(), h) - o.address();
                findings.add(finding(HugePageObstacle.ADDRESS_NOT_ALIGNED, "address 0x" + Long.toHexString(o.address())
                        + " is not a multiple of " + h + ": the first " + head + " bytes stay in base pages"));
            }
        }
        if (!complete && o.fileSystem() != null && o.fileSystem().support() == LargeFolioSupport.Support.NO) {
            findings.add(finding(HugePageObstacle.FILE_SYSTEM_WITHOUT_LARGE_FOLIOS, o.fileSystem().reason()));
            explained = true;
        }

        HugePageBaseline b = o.baseline();
        boolean pageCache = o.isFile() && !o.shmem();
        if (pageCache && b != null && b.cachedBlocks() > 0 && (missing > 0 || untouched > 0) && !explained) {
            String cached = b.cachedBlocks() + " of " + b.sampledBlocks() + " huge-page blocks sampled held cached"
                    + " pages" + (b.rebuilt() ? " after rebuildPageCache dropped what it could (the rest is mapped by"
                    + " another mapping, locked, or was read or written again meanwhile)"
                    : " before the mapping touched them") + " (cachestat of each block's first page)";
            findings.add(finding(HugePageObstacle.SMALL_FOLIOS_CACHED, missing > 0
                    ? cached + ", and " + missing + " bytes of touched huge-page blocks are in base pages. Inferred:"
                    + " the kernel does not tell an unprivileged process the size of cached folios; the cached"
                    + " pages are the likely cause, but could have been huge folios if another cause listed here"
                    + " applies"
                    : cached + "; nothing of it is touched yet, so whether those folios are small shows only"
                    + " once it is (they are, when the file was written or read in small pieces)"));
            explained = missing > 0;
        }
        if (untouched > 0) {
            findings.add(finding(HugePageObstacle.NOT_TOUCHED, untouched + " of " + o.span()
                    + " bytes are not mapped yet (Rss " + resident + ")"));
        }
        if (missing > 0 && !explained) {
            Optional<String> fragmentation = fragmentation(o, pageCache);
            if (fragmentation.isPresent()) {
                findings.add(finding(HugePageObstacle.FRAGMENTATION, fragmentation.get()));
            } else if (o.fileSystem() != null && o.fileSystem().support() == LargeFolioSupport.Support.UNKNOWN
                    && o.hugeBytes() == 0) {
                findings.add(finding(HugePageObstacle.FILE_SYSTEM_WITHOUT_LARGE_FOLIOS, o.fileSystem().reason()
                        + "; inferred: none of the " + (eligible / h) + " eligible blocks got a huge page"
                        + " though nothing else stood in the way"));
            } else {
                findings.add(finding(HugePageObstacle.UNEXPLAINED, missing + " bytes of touched huge-page blocks"
                        + " are in base pages"));
            }
        }
        return new HugePageReport(o.length(), h, eligible, resident, o.hugeBytes(), findings);
    }

    /** Whole huge-page blocks inside the mapping (and congruent with the file). */
    static long eligibleBytes(Observation o) {
        long h = o.hugePageSize();
        if (h == 0 || (o.isFile() && Math.floorMod(o.address() - o.fileOffset(), h) != 0)) {
            return 0;
        }
        // A file's blocks end with the file's bytes, anonymous memory's with the mapped pages.
        long end = o.address() + (o.isFile() ? o.length() : o.span());
        return Math.max(0, PowerOfTwo.alignDown(end, h) - PowerOfTwo.alignUp(o.address(), h));
    }

    /**
     * Bytes of eligible blocks that are touched but in base pages: exact when the whole mapping
     * is touched; otherwise a lower bound (base pages beyond the eligible blocks are assumed to
     * account for as much as they can).
     */
    private static long missingHugeBytes(Observation o, long eligible, long resident) {
        long inBasePages = Math.max(0, resident - o.hugeBytes());
        long outside = o.span() - eligible;
        if (resident >= o.span()) {
            return Math.max(0, eligible - o.hugeBytes());
        }
        return Math.max(0, inBasePages - outside);
    }

    private static Optional<String> thpOff(Observation o) {
        String enabled = SysFs.TRANSPARENT_HUGEPAGE.resolve("enabled").toString();
        if (o.mode() == TransparentHugePages.UNSUPPORTED) {
            return Optional.of("the kernel has no transparent huge pages: " + enabled + " does not exist");
        }
        if (o.processDisabled()) {
            return Optional.of("this process switched them off: THP_enabled is 0 in " + ThpSettings.PROC_STATUS);
        }
        if (effectiveMode(o).equals("never")) {
            return Optional.of(o.sizeMode().equals("never")
                    ? "the mode for " + (o.hugePageSize() / 1024) + " kB pages is [never] ("
                    + SysFs.TRANSPARENT_HUGEPAGE.resolve("hugepages-" + (o.hugePageSize() / 1024) + "kB/enabled") + ")"
                    : enabled + " is [never]");
        }
        return Optional.empty();
    }

    /** The mode that applies to this size: the per-size one unless it says inherit. */
    private static String effectiveMode(Observation o) {
        if (!o.sizeMode().isEmpty() && !o.sizeMode().equals("inherit")) {
            return o.sizeMode();
        }
        return switch (o.mode()) {
            case ALWAYS -> "always";
            case MADVISE -> "madvise";
            case NEVER, UNSUPPORTED -> "never";
        };
    }

    private static Optional<String> fragmentation(Observation o, boolean pageCache) {
        HugePageBaseline b = o.baseline();
        String defrag = o.defrag().isEmpty() ? "" : "; defrag is " + o.defrag();
        if (!pageCache && b != null) {
            List<String> names = o.shmem() ? ThpCounters.SHMEM : ThpCounters.ANONYMOUS;
            long rise = ThpCounters.rise(b.counters(), o.counters(), names);
            if (rise > 0) {
                return Optional.of(String.join(" + ", names) + " in " + ThpCounters.VMSTAT + " rose by " + rise
                        + " since (at most a second before) the mapping was made (system-wide: other processes"
                        + " count too)" + defrag);
            }
        }
        if (o.freeHugeBlocks().isPresent() && o.freeHugeBlocks().getAsLong() == 0) {
            return Optional.of(ThpCounters.BUDDYINFO + " shows no free block of " + o.hugePageSize() + " bytes"
                    + (pageCache ? "; inferred: the page cache has no fallback counter" : "") + defrag);
        }
        return Optional.empty();
    }

    /** The device of the file behind the mapping at {@code address}, from /proc/self/maps. */
    private static Optional<long[]> deviceOf(long address) {
        try (BufferedReader reader = Files.newBufferedReader(PROC_MAPS, StandardCharsets.US_ASCII)) {
            String line;
            while ((line = reader.readLine()) != null) {
                // "start-end perms offset major:minor inode path", numbers in hex.
                String[] fields = line.split("\\s+", 6);
                int dash = fields[0].indexOf('-');
                long start = Long.parseUnsignedLong(fields[0], 0, dash, 16);
                long end = Long.parseUnsignedLong(fields[0], dash + 1, fields[0].length(), 16);
                if (Long.compareUnsigned(start, address) <= 0 && Long.compareUnsigned(address, end) < 0) {
                    String[] device = fields[3].split(":");
                    return Optional.of(new long[] {Long.parseLong(device[0], 16), Long.parseLong(device[1], 16)});
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static HugePageReport.Finding finding(HugePageObstacle obstacle, String evidence) {
        return new HugePageReport.Finding(obstacle, evidence);
    }
}
