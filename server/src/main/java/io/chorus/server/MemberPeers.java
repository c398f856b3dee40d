package io.chorus.server;

import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.gossip.MembershipView;
import io.chorus.ring.RingState;
import io.chorus.transport.protocol.Opcodes;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the node messages that read or change data (replica reads and writes, forwards, hints, anti-entropy and
 * handoff syncs) only to members of this node's cluster; anything else gets FORBIDDEN and nothing is done. The
 * sender is the HELLO's name, which TLS proves ({@code PeerAuthentication}: a certificate of the cluster's CA naming
 * it); the CA may have signed names that are no members (another cluster's nodes, a node removed long ago, a spare
 * certificate), and such a node must not store forged sibling sets, leave hints or sync partitions. Gossip is not
 * wrapped: it is how a new node introduces itself, and it refuses other clusters' messages by itself.
 *
 * <p><b>Who is a member</b>, as this node's membership view says now ({@link #refusal}): this node itself; else not
 * a removed node ({@link MembershipView#isRemoved}: removed for good, whatever it gossips); else a node whose
 * gossip reached this node ({@link MembershipView#knows}), JOINING ones included, since that is how a join is
 * admitted: the claimant commits a node only after its gossip reached the claimant; else a node of the ring state
 * held, old ring or new (a node restarted on its stored ring knows its peers from it before their gossip arrives,
 * and a leaver stays in the old ring while it hands off). Without TLS the same check runs on an unproven name: it
 * keeps out a stray node of another cluster, not an attacker. Nor does it stop a holder of a CA certificate who
 * gossips first, giving this cluster's name: that makes it a joining node, which counts. Counting joiners only once
 * a ring state names them would close that, at a price: a staged joiner's forwards refused until the commit, and a
 * wider window right after it (below); so the CA must sign one cluster's node names only (docs/security.md).
 *
 * <p><b>Races, and why a refusal is retried.</b> Gossip spreads a joining node's state and the ring state that
 * admits it node by node, so a node may hear from a member before it has heard of it: a replica write or forward
 * from a node just committed, an anti-entropy sync from a joiner whose gossip has not come round yet. Such a
 * refusal is transient, and every sender treats it as a failed request that is tried again, never as a verdict:
 * a refused replica write goes to a fallback as a hint (WriteRequest), and hints stay until their owner takes
 * them (a refused replay ends the turn, the next round sends it again); an anti-entropy sync that fails is due
 * again at its next interval; a handoff sync that did not converge leaves its partition WAITING for the next tick
 * (and handoff starts only once every live member holds the new ring state, which names the joiner, so it does
 * not meet this window at all); a refused FORWARD, which ran nothing, moves on to the next replica
 * ({@code Forwarder}). A refusal counts as an answer for liveness (the node is up), not as a failure. So the
 * window costs some hints and a retried sync, never a join. Before the node's membership runs (its first
 * milliseconds, while the port is already bound) nobody can be judged: UNAVAILABLE, as gossip answers then.
 *
 * <p><b>Cost.</b> The check runs for every replica request, on an event loop for the non-blocking opcodes: it reads
 * one volatile (the view, an immutable snapshot the gossip agent publishes) and does a binary search, a sorted-set
 * lookup and a hash lookup; it allocates and logs only to refuse. It changes nothing about where a request runs:
 * {@link #nonBlocking} is the wrapped handler's. Refusals are counted with the other replica errors
 * ({@code replica.errors.forbidden}) and logged at WARN at most once a minute.
 *
 * <p>Thread-safe: stateless apart from the log limiter's atomics.
 */
final class MemberPeers implements RequestHandler {

    private static final Logger LOG = LoggerFactory.getLogger(MemberPeers.class);
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final RequestHandler members;
    private final NodeId self;
    private final String clusterName;
    private final Supplier<MembershipView> view;
    private final Clock clock;
    private final AtomicLong nextWarnNanos;
    private final AtomicLong unlogged = new AtomicLong();

    /**
     * @param members the handler members' messages go to
     * @param view    this node's membership view now, or null before its membership runs
     */
    MemberPeers(RequestHandler members, NodeId self, String clusterName, Supplier<MembershipView> view,
            Clock clock) {
        this.members = Objects.requireNonNull(members, "members");
        this.self = Objects.requireNonNull(self, "self");
        this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
        this.view = Objects.requireNonNull(view, "view");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nextWarnNanos = new AtomicLong(clock.nanoTime());
    }

    @Override
    public CompletableFuture<Message> handle(NodeId from, Message request) {
        MembershipView v = view.get();
        if (v == null) {
            return CompletableFuture.failedFuture(new ChorusException(ErrorCode.UNAVAILABLE,
                    "the node is starting: its membership is not running yet"));
        }
        String refusal = refusal(v, self, from);
        if (refusal != null) {
            String message = from + " is not a member of cluster " + clusterName + ": " + refusal;
            logRefusal(request.opcode(), message);
            return CompletableFuture.failedFuture(new ChorusException(ErrorCode.FORBIDDEN, message));
        }
        return members.handle(from, request);
    }

    /** The wrapped handler's: the check itself is short and never blocks. */
    @Override
    public boolean nonBlocking(int opcode) {
        return members.nonBlocking(opcode);
    }

    /** Why {@code from} is no member by {@code v} (see the class comment), or null if it is one. */
    static String refusal(MembershipView v, NodeId self, NodeId from) {
        if (from.equals(self)) {
            return null;
        }
        RingState ring = v.ring();
        if (v.isRemoved(from)) {
            return "it was removed from the cluster (ring state version " + ring.version() + ")";
        }
        if (v.knows(from) || ring != null && (ring.to().contains(from) || ring.from().contains(from))) {
            return null;
        }
        return ring == null
                ? "no gossip from it has reached this node, which holds no ring state yet"
                : "no gossip from it has reached this node, and the ring state held (version " + ring.version()
                        + ") does not name it";
    }

    private void logRefusal(int opcode, String message) {
        long now = clock.nanoTime();
        long next = nextWarnNanos.get();
        if (now - next >= 0 && nextWarnNanos.compareAndSet(next, now + WARN_EVERY_NANOS)) {
            long more = unlogged.getAndSet(0);
            LOG.warn("{}: refused {}: {}{}", self, Opcodes.name(opcode), message,
                    more == 0 ? "" : " (" + more + " other node messages refused since the last such line)");
        } else {
            unlogged.incrementAndGet();
            LOG.debug("{}: refused {}: {}", self, Opcodes.name(opcode), message);
        }
    }
}
