package org.sidekiqsupervisor.benchmarks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of processes as Linux accounts it ({@code /proc/<pid>/stat}: user + system, in clock ticks), so that the
 * ingest benchmark can say where each event's CPU went: the supervisor's process, and the PostgreSQL server's
 * processes on the same machine. On a system without {@code /proc} every reading is -1 and nothing is printed.
 */
final class CpuTime {
    /** Linux reports process times in USER_HZ ticks, 100 a second on every architecture it runs on. */
    private static final long MICROS_PER_TICK = 10_000;
    private static final Path PROC = Path.of("/proc");

    private CpuTime() {
    }

    /** CPU microseconds {@code pid} has used so far, or -1 when it cannot be read. */
    static long ofProcess(long pid) {
        long ticks = ticks(PROC.resolve(Long.toString(pid)).resolve("stat"), null);
        return ticks < 0 ? -1 : ticks * MICROS_PER_TICK;
    }

    /** CPU microseconds every live process whose command is {@code command} has used so far, or -1 without /proc. */
    static long ofCommand(String command) {
        if (!Files.isDirectory(PROC)) {
            return -1;
        }
        long total = 0;
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, entry -> entry.getFileName().toString().matches("\\d+"))) {
            for (Path process : processes) {
                total += Math.max(0, ticks(process.resolve("stat"), command));
            }
        } catch (IOException e) {
            return -1;
        }
        return total * MICROS_PER_TICK;
    }

    /**
     * utime + stime (fields 14 and 15) of one stat file; -1 if it cannot be read, or its command (field 2, in
     * parentheses, which may itself hold spaces) is not {@code command} when one is given.
     */
    private static long ticks(Path stat, String command) {
        String line;
        try {
            line = Files.readString(stat);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open) {
            return -1;
        }
        if (command != null && !line.substring(open + 1, close).equals(command)) {
            return -1;
        }
        String[] after = line.substring(close + 2).split(" ");
        // after[0] is field 3 (state), so utime (field 14) is after[11] and stime (field 15) after[12].
        return Long.parseLong(after[11]) + Long.parseLong(after[12]);
    }
}
