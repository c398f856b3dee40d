package io.chorus.transport.protocol;

import io.chorus.core.NodeId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * Random valid membership admin bodies from a seed. {@code small} keeps lists and strings short, for tests that
 * try every cut of a body. Not thread-safe; one per seed.
 */
final class RandomMembershipBodies {

    /** A value, its encoding, the decoder that reads it back and its index in {@link MembershipDecoders#ALL}. */
    record Sample(String name, int decoder, Object value, byte[] body, Function<byte[], Object> decode) {
    }

    private static final String[] STEMS = {"a", "node-1", "db-2.example.com", "nœud-ü", "節点", "x".repeat(255)};

    private final Random random;
    private final boolean small;

    RandomMembershipBodies(long seed, boolean small) {
        this.random = new Random(seed);
        this.small = small;
    }

    List<Sample> all() {
        MembersResponse members = members();
        RingResponse ring = new RingResponse(bytes(small ? 8 : 600));
        JoinRequest join = new JoinRequest(address());
        RemoveRequest remove = new RemoveRequest(node());
        PlanResponse plan = plan();
        CommitRequest commit = new CommitRequest(random.nextLong());
        CommitResponse committed = new CommitResponse(number());
        TransfersResponse transfers = transfers();
        BackupRequest backup = new BackupRequest(directory());
        BackupResponse backedUp = new BackupResponse(directory(), number(), number());
        return List.of(
                new Sample("members", 0, members, members.encode(), MembersResponse::decode),
                new Sample("ring", 1, ring, ring.encode(), RingResponse::decode),
                new Sample("join", 2, join, join.encode(), JoinRequest::decode),
                new Sample("remove", 3, remove, remove.encode(), RemoveRequest::decode),
                new Sample("plan", 4, plan, plan.encode(), PlanResponse::decode),
                new Sample("commit", 5, commit, commit.encode(), CommitRequest::decode),
                new Sample("commit_reply", 6, committed, committed.encode(), CommitResponse::decode),
                new Sample("transfers", 7, transfers, transfers.encode(), TransfersResponse::decode),
                new Sample("backup", 8, backup, backup.encode(), BackupRequest::decode),
                new Sample("backup_reply", 9, backedUp, backedUp.encode(), BackupResponse::decode));
    }

    /** An absolute path, some with spaces and non-ASCII names. */
    private String directory() {
        StringBuilder b = new StringBuilder();
        for (int i = 1 + random.nextInt(small ? 2 : 5); i > 0; i--) {
            b.append('/').append(STEMS[random.nextInt(small ? 5 : STEMS.length)]);
            if (random.nextInt(4) == 0) {
                b.append(" copy");
            }
        }
        return b.toString();
    }

    private MembersResponse members() {
        List<MembersResponse.Member> members = new ArrayList<>();
        for (NodeId id : distinctNodes(count())) {
            MembersResponse.Status[] statuses = MembersResponse.Status.values();
            members.add(new MembersResponse.Member(id, statuses[random.nextInt(statuses.length)],
                    random.nextBoolean(), random.nextBoolean() ? "" : "zone-" + random.nextInt(3),
                    random.nextInt(4) == 0 ? "" : address(), random.nextInt(4) == 0 ? "" : address(), number(),
                    random.nextInt(ProtocolLimits.MAX_PARTITIONS + 1), number()));
        }
        return new MembersResponse(optionalNode(), members);
    }

    private PlanResponse plan() {
        List<PlanResponse.Change> changes = new ArrayList<>();
        PlanResponse.Kind[] kinds = PlanResponse.Kind.values();
        for (int i = count(); i > 0; i--) {
            changes.add(new PlanResponse.Change(kinds[random.nextInt(kinds.length)], node()));
        }
        List<PlanResponse.Receiver> receivers = new ArrayList<>();
        for (NodeId id : distinctNodes(count())) {
            receivers.add(new PlanResponse.Receiver(id, random.nextInt(ProtocolLimits.MAX_PARTITIONS + 1)));
        }
        Optional<String> problem = random.nextBoolean() ? Optional.empty() : Optional.of(problem());
        return new PlanResponse(optionalNode(), number(), problem, random.nextLong(),
                random.nextInt(ProtocolLimits.MAX_PARTITIONS + 1), changes, receivers);
    }

    private TransfersResponse transfers() {
        List<TransfersResponse.Transfer> transfers = new ArrayList<>();
        TransfersResponse.Role[] roles = TransfersResponse.Role.values();
        TransfersResponse.State[] states = TransfersResponse.State.values();
        for (int i = count(); i > 0; i--) {
            List<NodeId> peers = new ArrayList<>();
            for (int k = random.nextInt(small ? 2 : 4); k > 0; k--) {
                peers.add(node());
            }
            transfers.add(new TransfersResponse.Transfer(random.nextInt(ProtocolLimits.MAX_PARTITION + 1),
                    roles[random.nextInt(roles.length)], states[random.nextInt(states.length)], peers, number(),
                    number(), number()));
        }
        return new TransfersResponse(number(), random.nextInt(ProtocolLimits.MAX_PARTITIONS + 1), transfers);
    }

    private int count() {
        return random.nextInt(small ? 3 : 12);
    }

    /** Mostly small, sometimes the extremes: varints of every length. */
    private long number() {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(300);
            case 2 -> Long.MAX_VALUE;
            default -> random.nextLong() >>> (1 + random.nextInt(63));
        };
    }

    private NodeId node() {
        String stem = STEMS[random.nextInt(small ? 3 : STEMS.length)];
        return NodeId.of(stem.length() > 200 ? stem : stem + "-" + random.nextInt(100));
    }

    private Set<NodeId> distinctNodes(int n) {
        Set<NodeId> out = new LinkedHashSet<>();
        while (out.size() < n) {
            out.add(node());
        }
        return out;
    }

    private Optional<NodeId> optionalNode() {
        return random.nextInt(4) == 0 ? Optional.empty() : Optional.of(node());
    }

    private String address() {
        return switch (random.nextInt(3)) {
            case 0 -> "10.0." + random.nextInt(256) + "." + random.nextInt(256) + ":" + (1 + random.nextInt(65535));
            case 1 -> "[::1]:" + (1 + random.nextInt(65535));
            default -> "db-" + random.nextInt(9) + ".example.com:7400";
        };
    }

    private String problem() {
        if (!small && random.nextInt(4) == 0) {
            return "é".repeat(ProtocolLimits.MAX_PROBLEM_BYTES / 2);
        }
        return "3 partitions of version " + random.nextInt(1000) + " are still moving;\ncommit when they are done";
    }

    private byte[] bytes(int max) {
        byte[] out = new byte[random.nextInt(max + 1)];
        random.nextBytes(out);
        return out;
    }
}
