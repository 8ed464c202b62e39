package org.alignedmmap.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.alignedmmap.Advice;
import org.alignedmmap.Backing;
import org.alignedmmap.DirectIoAlignment;
import org.alignedmmap.HugePagePool;
import org.alignedmmap.HugePages;
import org.alignedmmap.Residency;
import org.alignedmmap.TransparentHugePages;

/**
 * A system the library does not run on. Questions with a natural "none" answer get it (no huge
 * page sizes, THP unsupported, no advice supported, huge pages unavailable and why); everything
 * that would need a number from the system or a system call throws one {@link
 * UnsupportedOperationException} that says what this system is and where the library runs.
 * Nothing native is bound or loaded, so no class initializer can fail.
 */
final class UnsupportedSystem implements OperatingSystem {
    private final String reason;

    UnsupportedSystem(String reason) {
        this.reason = reason;
    }

    private UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException(reason);
    }

    @Override
    public long pageSize() {
        throw unsupported();
    }

    @Override
    public long allocationGranularity() {
        throw unsupported();
    }

    @Override
    public OptionalLong cacheLineSize() {
        throw unsupported();
    }

    @Override
    public List<Long> hugePageSizes() {
        return List.of();
    }

    @Override
    public List<HugePagePool> hugePagePools() {
        return List.of();
    }

    @Override
    public TransparentHugePages transparentHugePages() {
        return TransparentHugePages.UNSUPPORTED;
    }

    @Override
    public OptionalLong transparentHugePageSize() {
        return OptionalLong.empty();
    }

    @Override
    public long pageSize(HugePages kind) {
        throw unsupported();
    }

    @Override
    public Optional<String> unavailableReason(HugePages kind) {
        return Optional.of(reason);
    }

    @Override
    public boolean supports(Advice advice) {
        return false;
    }

    @Override
    public DirectIoAlignment directIoAlignment(Path path) {
        throw unsupported();
    }

    @Override
    public OpenFile open(Path path, boolean write) {
        throw unsupported();
    }

    @Override
    public OpenFile borrow(int fd) {
        throw unsupported();
    }

    @Override
    public MappedRegion map(MappingRequest request) {
        throw unsupported();
    }

    @Override
    public java.lang.foreign.MemorySegment load(Path file, HugePages kind, java.lang.foreign.Arena arena) {
        throw unsupported();
    }

    @Override
    public Backing backing(long start, long end) {
        throw unsupported();
    }

    @Override
    public Residency residency(long start, long length) {
        throw unsupported();
    }
}
