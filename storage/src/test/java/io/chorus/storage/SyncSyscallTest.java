package io.chorus.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SYNC mode really flushes every acknowledged batch: a child JVM writes under strace, and the data file must see
 * at least one fdatasync (or fsync, sync_file_range, msync) per batch committed. No other test can tell: a
 * SIGKILL keeps the page cache, so a SYNC store opened with MDB_NOSYNC would pass every crash test. As a control,
 * the same run in NOSYNC mode syncs nothing, so the count really is the engine's doing.
 *
 * <p>Needs strace and permission to ptrace; skipped visibly without them, failed under CI ({@code CHORUS_CI=1},
 * where {@code .ci/run} installs strace): see {@link MachineRequirement}.
 */
class SyncSyscallTest {

    private static final String SYSCALLS = "fdatasync,fsync,msync,sync_file_range";
    /** A sync of LMDB's data file (strace -y names the file of each descriptor), or an msync (no descriptor). */
    private static final Pattern DATA_SYNC = Pattern.compile(
            "^\\d+\\s+(?:(?:fdatasync|fsync|sync_file_range)\\(\\d+<[^>]*/data\\.mdb>|msync\\()");
    private static final Pattern ACKED = Pattern.compile("ACKED batches=(\\d+) writes=(\\d+)");
    private static final int ROUNDS = 40;
    private static final int PER_ROUND = 4;

    @TempDir
    Path dir;

    @Test
    void syncModeSyncsTheDataFileOncePerAcknowledgedBatchAndNosyncDoesNot() throws Exception {
        String problem = straceProblem();
        MachineRequirement.require(problem == null, "SyncSyscallTest", problem);

        Run sync = traced(Durability.SYNC);
        assertThat(sync.writes).as("every write acknowledged").isEqualTo(ROUNDS * PER_ROUND);
        assertThat(sync.batches).as("each round waits for its acks").isBetween((long) ROUNDS, (long) sync.writes);
        assertThat(sync.syncs).as("syncs of data.mdb for %d acknowledged batches", sync.batches)
                .isGreaterThanOrEqualTo(sync.batches);

        Run nosync = traced(Durability.NOSYNC);
        assertThat(nosync.batches).isGreaterThanOrEqualTo(ROUNDS);
        assertThat(nosync.syncs).as("syncs of data.mdb in NOSYNC mode, for %d batches", nosync.batches).isZero();
    }

    private record Run(long batches, long writes, long syncs) {
    }

    /** Runs {@link SyncWriterMain} under strace in {@code durability} mode. */
    private Run traced(Durability durability) throws IOException, InterruptedException {
        Path data = dir.resolve(durability.name());
        Path trace = dir.resolve(durability + ".strace");
        Path out = dir.resolve(durability + ".out");
        Path err = dir.resolve(durability + ".err");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of("strace", "--seccomp-bpf", "-f", "-qq", "-y",
                "-e", "signal=none", "-e", "trace=" + SYSCALLS, "-o", trace.toString()));
        command.addAll(List.of(java, "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), SyncWriterMain.class.getName(),
                data.toString(), durability.name(), Integer.toString(ROUNDS), Integer.toString(PER_ROUND)));
        Process strace = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(strace.waitFor(60, TimeUnit.SECONDS)).as("%s writer finished; stderr: %s", durability,
                    Files.readString(err)).isTrue();
        } finally {
            // strace first would leave the JVM it traces running, detached.
            strace.descendants().forEach(ProcessHandle::destroyForcibly);
            strace.destroyForcibly();
        }
        assertThat(strace.exitValue()).as("%s writer exit; stderr: %s", durability, Files.readString(err)).isZero();
        Matcher acked = ACKED.matcher(Files.readString(out));
        assertThat(acked.find()).as("%s writer output: %s", durability, Files.readString(out)).isTrue();
        long syncs;
        try (var lines = Files.lines(trace)) {
            syncs = lines.filter(line -> DATA_SYNC.matcher(line).find()).count();
        }
        return new Run(Long.parseLong(acked.group(1)), Long.parseLong(acked.group(2)), syncs);
    }

    /** Why strace cannot trace a child here, or null if it can. */
    private String straceProblem() throws InterruptedException, IOException {
        Path log = dir.resolve("strace-probe.log");
        Process probe;
        try {
            probe = new ProcessBuilder("strace", "--seccomp-bpf", "-f", "-qq", "-e", "trace=fdatasync", "-o",
                    "/dev/null", "true").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            return "strace is not installed (" + e.getMessage() + ")";
        }
        try {
            if (!probe.waitFor(20, TimeUnit.SECONDS)) {
                return "strace did not finish tracing 'true' in 20 s";
            }
            return probe.exitValue() == 0 ? null : "strace cannot trace here (is ptrace permitted?): exit "
                    + probe.exitValue() + ", " + Files.readString(log).strip();
        } finally {
            probe.destroyForcibly();
        }
    }
}
