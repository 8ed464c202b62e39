package org.alignedmmap.children;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.alignedmmap.Advice;
import org.alignedmmap.Aligned;
import org.alignedmmap.HugePages;
import org.alignedmmap.Mmap;
import org.alignedmmap.SystemAlignment;

/**
 * Runs in a child JVM started with another {@code os.name} (see {@code UnsupportedPlatformTest}):
 * calls the library's entry points one after the other, the first call first, and prints what
 * each one did, one line per call: {@code call NAME: returned VALUE} or {@code call NAME: threw
 * CLASS: MESSAGE}.
 */
public final class UnsupportedPlatformChild {
    private UnsupportedPlatformChild() {}

    public static void main(String[] args) throws Exception {
        Path file = Files.writeString(Path.of(args[0]), "some bytes");
        Map<String, Callable<Object>> calls = new LinkedHashMap<>();
        // The first call of all: whatever initializes first must not fail with an initializer error.
        calls.put("Mmap.options().anonymous", () -> Mmap.options().anonymous(1 << 16));
        calls.put("Mmap.options().map", () -> Mmap.options().map(file));
        calls.put("Mmap.options().map(fd)", () -> Mmap.options().map(0));
        calls.put("Mmap.options().offset", () -> Mmap.options().offset(1 << 16));
        calls.put("SystemAlignment.pageSize", SystemAlignment::pageSize);
        calls.put("SystemAlignment.directIo", () -> SystemAlignment.directIo(file));
        calls.put("Aligned.allocate", () -> Aligned.allocate(Arena.ofAuto(), 64, 64));
        calls.put("HugePages.TRANSPARENT.isAvailable", HugePages.TRANSPARENT::isAvailable);
        calls.put("HugePages.TRANSPARENT.unavailableReason", HugePages.TRANSPARENT::unavailableReason);
        calls.put("Advice.WILLNEED.isSupported", Advice.WILLNEED::isSupported);
        calls.put("SystemAlignment.transparentHugePages", SystemAlignment::transparentHugePages);
        calls.put("SystemAlignment.hugePageSizes", SystemAlignment::hugePageSizes);
        calls.put("Mmap.options().anonymous again", () -> Mmap.options().anonymous(1 << 16));
        for (Map.Entry<String, Callable<Object>> call : calls.entrySet()) {
            try {
                System.out.println("call " + call.getKey() + ": returned " + call.getValue().call());
            } catch (Throwable t) {
                System.out.println("call " + call.getKey() + ": threw " + t.getClass().getName() + ": "
                        + t.getMessage());
            }
        }
        System.out.println("ALIVE");
    }
}
