package io.chorus.server.cli;

import io.chorus.client.ChorusClient;
import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.ring.Member;
import io.chorus.ring.Ring;
import io.chorus.ring.RingState;
import io.chorus.ring.RingStateCodec;
import io.chorus.server.HostPort;
import io.chorus.transport.protocol.MembersResponse;
import io.chorus.transport.protocol.PlanResponse;
import io.chorus.transport.protocol.RepairResponse;
import io.chorus.transport.protocol.TransfersResponse;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The operations commands: status, ring, plan, commit, join, leave, remove, transfers, repair, stats. Each asks
 * the node {@code --host} names for the membership and, where the answer is per node, asks every member.
 */
public final class AdminCommands {

    private AdminCommands() {
    }

    /** Shared plumbing: connect, run, print. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        ClientOptions options;
        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        InetSocketAddress host() {
            return HostPort.parse(options.host).toSocketAddress();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        @Override
        public Integer call() throws Exception {
            int code;
            try (ChorusClient c = options.connect()) {
                code = run(c);
            }
            out().flush();
            err().flush();
            return code;
        }

        /** The last line of a --wait: done, or the deadline passed (one line, exit 1). */
        int finish(boolean over, RingChangeWait waiting, String done) {
            if (over) {
                out().println(done);
                return 0;
            }
            err().println("chorus: TIMEOUT: the ring change was not over after --deadline " + waiting.deadline
                    + " (it goes on: see chorus transfers)");
            return 1;
        }

        /** Does the command's work; returns its exit code (0 done, 1 the cluster did not do all of it). */
        abstract int run(ChorusClient c) throws Exception;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Every member: status, alive, zone, partitions, hint backlog, handoff and anti-entropy.")
    public static final class Status extends Base {
        @Override
        int run(ChorusClient c) throws Exception {
            Cluster cluster = new Cluster(c, host());
            PrintWriter out = out();
            out.printf("claimant: %s%n", cluster.members.claimant().map(NodeId::name).orElse("(none)"));
            out.printf("%-16s %-8s %-5s %-8s %5s %6s %7s %8s %7s %9s  %s%n", "node", "status", "alive", "zone",
                    "parts", "hints", "moving", "handoff", "synced", "last-sync", "address");
            for (MembersResponse.Member m : cluster.members.members()) {
                Map<String, Long> s = m.alive() ? cluster.stats(m) : null;
                String hints = s == null ? "-" : String.valueOf(s.getOrDefault("coordinator.hints_stored", 0L)
                        - s.getOrDefault("coordinator.hints_delivered", 0L)
                        - s.getOrDefault("coordinator.hints_dropped", 0L));
                String moving = s == null ? "-" : String.valueOf(s.getOrDefault("ring.partitions_moving", 0L));
                String handoff = s == null ? "-" : String.valueOf(s.getOrDefault("handoff.in_flight", 0L));
                out.printf("%-16s %-8s %-5s %-8s %5d %6s %7s %8s %7s %9s  %s%n", m.id(), lower(m.status()),
                        m.alive() ? "yes" : "no", m.zone().isEmpty() ? "-" : m.zone(), m.partitions(), hints, moving,
                        handoff, s == null ? "-" : String.valueOf(synced(s)), s == null ? "-" : oldestSync(s),
                        m.clientAddress());
            }
            return 0;
        }
    }

    private static final String LAST_SYNC = "aae.last_sync_ms.";

    /** Held partitions whose anti-entropy syncs have converged with every other replica at least once. */
    static long synced(Map<String, Long> stats) {
        return stats.keySet().stream().filter(k -> k.startsWith(LAST_SYNC)).count();
    }

    /** How long ago the least recently converged partition did ("never" before the first). */
    static String oldestSync(Map<String, Long> stats) {
        long oldest = stats.entrySet().stream().filter(e -> e.getKey().startsWith(LAST_SYNC))
                .mapToLong(Map.Entry::getValue).min().orElse(-1);
        if (oldest < 0) {
            return "never";
        }
        long ageSeconds = Math.max(0, (System.currentTimeMillis() - oldest) / 1_000);
        return ageSeconds < 120 ? ageSeconds + "s" : ageSeconds / 60 + "m";
    }

    @Command(name = "ring", mixinStandardHelpOptions = true, description = "The ring: version, Q, who owns how much.")
    public static final class RingCommand extends Base {
        @Override
        int run(ChorusClient c) throws Exception {
            RingState r = RingStateCodec.decode(c.ringAsync(host()).get(Cluster.WAIT_SECONDS, TimeUnit.SECONDS));
            PrintWriter out = out();
            Ring to = r.to();
            out.printf("ring state v%d by %s: Q = %d, %d members, %s%n", r.version(), r.author(), to.partitionCount(),
                    to.size(), r.settled() ? "settled" : r.moving().cardinality() + " partitions moving from a ring of "
                            + r.from().size());
            for (Member m : to.members()) {
                out.printf("  %-16s %5d partitions (%.1f%%)%s%n", m.id(), to.load(m.id()),
                        100.0 * to.load(m.id()) / to.partitionCount(), m.hasZone() ? "  zone " + m.zone() : "");
            }
            if (!r.removed().isEmpty()) {
                out.println("removed: " + r.removed());
            }
            return 0;
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "What a commit would do now: the staged changes and the partitions that would move.")
    public static final class PlanCommand extends Base {
        @Override
        int run(ChorusClient c) throws Exception {
            PlanResponse p = c.planAsync(host()).get(Cluster.WAIT_SECONDS, TimeUnit.SECONDS);
            PrintWriter out = out();
            if (p.changes().isEmpty()) {
                out.println("nothing staged (ring state v" + p.baseVersion() + ")");
                return 0;
            }
            out.println("staged on ring state v" + p.baseVersion() + " (claimant "
                    + p.claimant().map(NodeId::name).orElse("none") + "):");
            p.changes().forEach(ch -> out.println("  " + lower(ch.kind()) + " " + ch.node()));
            out.println(p.ownershipMoves() + " partitions change owner; replicas to receive: "
                    + p.receivers().stream().map(x -> x.node() + " " + x.partitions()).toList());
            out.println(p.problem().map(x -> "cannot commit: " + x)
                    .orElse("commit with: chorus commit --token " + Long.toUnsignedString(p.token(), 16)));
            return 0;
        }
    }

    @Command(name = "commit", mixinStandardHelpOptions = true, description = "Commits the staged plan.")
    public static final class Commit extends Base {
        @Option(names = "--token", paramLabel = "HEX", description = "The token PLAN printed: commit only that plan.")
        String token;

        @Override
        int run(ChorusClient c) throws Exception {
            long t = token == null ? 0 : Long.parseUnsignedLong(token, 16);
            long version = c.commitAsync(host(), t).get(60, TimeUnit.SECONDS);
            out().println("committed: ring state v" + version);
            return 0;
        }
    }

    @Command(name = "join", mixinStandardHelpOptions = true,
            description = {"The node --host names (empty, alone) joins the cluster of SEED (a member's peer address).",
                "With --wait, follows the change until the ring settled with the node in it."})
    public static final class Join extends Base {
        @Parameters(paramLabel = "SEED")
        String seed;
        @Mixin
        RingChangeWait waiting;

        @Override
        int run(ChorusClient c) throws Exception {
            if (waiting.wait) {
                waiting.check();
            }
            // Asked before the join: alone, the node knows only itself.
            NodeId self = new Cluster(c, host()).self();
            c.joinAsync(host(), seed).get(60, TimeUnit.SECONDS);
            out().println(options.host + " (" + self + ") is joining the cluster of " + seed
                    + (waiting.wait ? "" : " (see chorus plan)"));
            out().flush();
            if (!waiting.wait) {
                return 0;
            }
            return finish(waiting.follow(c, new RingWatch(self, false), List.of(host()), host(), err()), waiting,
                    self + " joined: the ring settled with it");
        }
    }

    @Command(name = "leave", mixinStandardHelpOptions = true,
            description = {"The node --host names stages its leave; after the commit it hands off and stops.",
                "With --wait, follows the change until the ring settled without the node."})
    public static final class Leave extends Base {
        @Mixin
        RingChangeWait waiting;

        @Override
        int run(ChorusClient c) throws Exception {
            if (waiting.wait) {
                waiting.check();
            }
            Cluster cluster = new Cluster(c, host());
            NodeId self = cluster.self();
            c.leaveAsync(host()).get(Cluster.WAIT_SECONDS, TimeUnit.SECONDS);
            out().println(options.host + " (" + self + ") will leave" + (waiting.wait ? "" : " (see chorus plan)"));
            out().flush();
            if (!waiting.wait) {
                return 0;
            }
            // The others know the ring to the end; the leaver stops once it handed everything off.
            List<InetSocketAddress> ask = new ArrayList<>();
            cluster.live().stream().filter(m -> !m.id().equals(self) && m.alive()).forEach(m -> ask.add(
                    Cluster.address(m)));
            ask.add(host());
            return finish(waiting.follow(c, new RingWatch(self, true), ask, host(), err()), waiting,
                    self + " left: the ring settled without it");
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Stages the removal of a dead NODE.")
    public static final class Remove extends Base {
        @Parameters(paramLabel = "NODE")
        String node;

        @Override
        int run(ChorusClient c) throws Exception {
            c.removeAsync(host(), node).get(Cluster.WAIT_SECONDS, TimeUnit.SECONDS);
            out().println(node + " will be removed (see chorus plan)");
            return 0;
        }
    }

    @Command(name = "transfers", mixinStandardHelpOptions = true,
            description = "Partitions moving, on every member: role, state, keys and bytes moved.")
    public static final class Transfers extends Base {
        @Override
        int run(ChorusClient c) throws Exception {
            Cluster cluster = new Cluster(c, host());
            PrintWriter out = out();
            int shown = 0;
            for (MembersResponse.Member m : cluster.live()) {
                TransfersResponse t;
                try {
                    t = c.transfersAsync(Cluster.address(m)).get(Cluster.WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (Exception e) {
                    out.println(m.id() + ": no answer");
                    continue;
                }
                for (TransfersResponse.Transfer x : t.transfers()) {
                    out.printf("%-16s p%-5d %-8s %-8s keys %d, bytes %d, syncs %d, with %s%n", m.id(), x.partition(),
                            lower(x.role()), lower(x.state()), x.keysMoved(), x.bytesMoved(), x.syncs(), x.peers());
                    shown++;
                }
            }
            if (shown == 0) {
                out.println("no transfers");
            }
            return 0;
        }
    }

    @Command(name = "repair", mixinStandardHelpOptions = true,
            description = {"Syncs every partition (or PARTITION) of every member with its other replicas now, one "
                + "member after the other.",
                "A line per member on stdout ('NODE: N syncs (R repaired, F failed), K keys moved, T ms' or "
                    + "'NODE: failed: why'), then a total; progress on stderr. Exit 1 when a member failed."})
    public static final class Repair extends Base {
        @Parameters(arity = "0..1", paramLabel = "PARTITION")
        Integer partition;
        @Mixin
        ProgressOption progress;

        @Override
        int run(ChorusClient c) throws Exception {
            progress.mode(); // a bad --progress is refused before any repair starts
            Cluster cluster = new Cluster(c, host());
            List<MembersResponse.Member> live = cluster.live();
            Progress bar = progress.start("repair", "members", live.size(), err());
            OptionalInt p = partition == null ? OptionalInt.empty() : OptionalInt.of(partition);
            long keys = 0;
            int done = 0;
            int failed = 0;
            for (MembersResponse.Member m : live) {
                CompletableFuture<RepairResponse> run = c.repairAsync(Cluster.address(m), p);
                String note = m.id() + " repairing, " + keys + " keys moved";
                bar.update(done, note);
                try {
                    // A member's repair may take minutes: wake up to redraw the rate and ETA meanwhile.
                    RepairResponse r = null;
                    while (r == null) {
                        try {
                            r = run.get(Progress.BAR_INTERVAL_NANOS, TimeUnit.NANOSECONDS);
                        } catch (java.util.concurrent.TimeoutException e) {
                            bar.update(done, note);
                        }
                    }
                    keys += r.keysFetched() + r.keysPushed();
                    bar.println(out(), String.format(Locale.ROOT, "%s: %d syncs (%d repaired, %d failed), %d keys "
                            + "moved, %d ms", m.id(), r.exchanges(), r.repaired(), r.failed(),
                            r.keysFetched() + r.keysPushed(), r.tookMillis()));
                } catch (java.util.concurrent.ExecutionException e) {
                    failed++;
                    Throwable why = e.getCause();
                    bar.println(out(), m.id() + ": failed: " + (why instanceof ChorusException ce ? ce.code() + ": "
                            + ce.getMessage() : why.toString()));
                }
                bar.update(++done, keys + " keys moved");
            }
            bar.finish();
            out().println("repaired " + (done - failed) + " of " + live.size() + " members, " + keys + " keys moved");
            if (failed > 0) {
                err().println("chorus: repair failed on " + failed + " of " + live.size() + " members");
                return 1;
            }
            return 0;
        }
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
