package org.alignedmmap.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.alignedmmap.DirectIoAlignment;
import org.alignedmmap.SystemAlignment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dio-align PATH}: what O_DIRECT I/O on that file must be aligned to, and who says so. */
@Command(name = "dio-align", mixinStandardHelpOptions = true,
        description = "O_DIRECT memory and offset alignment for PATH, and where the answer came from.")
final class DioAlignCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "A file, a directory on the file system to ask about, or a "
            + "block device.")
    Path path;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        FileKind kind = FileKind.of(path);
        if (kind != FileKind.REGULAR && kind != FileKind.DIRECTORY && kind != FileKind.BLOCK_DEVICE) {
            // The answer for the file system the inode sits on would be false: reads of a FIFO,
            // a socket or a character device never go through that file system's O_DIRECT path.
            throw Checks.usage(spec, path + " is " + kind.description() + ": O_DIRECT applies to regular files and "
                    + "block devices; ask about the file (or a directory on the file system) you will read");
        }
        DirectIoAlignment dio = SystemAlignment.directIo(path);
        PrintWriter out = spec.commandLine().getOut();
        if (json.enabled) {
            Map<String, Object> o = Json.object();
            o.put("path", path.toString());
            o.put("memory", dio.memory());
            o.put("offset", dio.offset());
            o.put("source", dio.source().name());
            o.put("fileStoreBlockSize", dio.fileStoreBlockSize());
            o.put("fileChannel", dio.fileChannel());
            out.println(Json.write(o));
        } else {
            out.printf("%-28s %s%n", "Path", path);
            out.printf("%-28s %s%n", "Buffer address alignment", Sizes.format(dio.memory()));
            out.printf("%-28s %s%n", "File offset/length alignment", Sizes.format(dio.offset()));
            out.printf("%-28s %s%n", "Source", describe(dio.source()));
            out.printf("%-28s %s (what FileChannel with ExtendedOpenOption.DIRECT checks)%n", "For FileChannel",
                    Sizes.format(dio.fileChannel()));
        }
        out.flush();
        return 0;
    }

    private static String describe(DirectIoAlignment.Source source) {
        return switch (source) {
            case STATX_DIOALIGN -> "statx STATX_DIOALIGN (the file system's own answer for this file)";
            case LOGICAL_BLOCK_SIZE -> "the block device's logical block size";
            case FILE_STORE_BLOCK_SIZE -> "the file store's block size (no better source here)";
        };
    }
}
