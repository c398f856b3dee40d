package io.chorus.coordinator;

import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import io.chorus.core.Scheduler;
import io.chorus.core.Scheduler.Cancellable;
import io.chorus.ring.RingState;
import io.chorus.storage.StorageEngine;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partition handoff: moves partitions after a ring change with the partition sync of anti-entropy, so the same
 * code that repairs replicas moves them, and what moved is verified by the trees.
 *
 * <p>After a commit it waits until every live member has seen the new ring state (then every coordinator sends
 * writes of a moving partition to its old and its new replicas) and a quiet time more (writes acknowledged under
 * the old ring alone have ended). Then, per partition:
 * <ul>
 *   <li><b>receive</b> (this node is a new replica): sync with every live old replica; when each sync converged,
 *       publish the partition as received. The claimant marks it done once all its receivers have.</li>
 *   <li><b>release</b> (this node gives it up) once it is done: sync with every live new replica, so whatever
 *       reached only this node goes on, then drop it and publish it as released. The ring settles after that.</li>
 * </ul>
 * Settled, it looks now and then for <b>stray</b> partitions, held but no longer this node's (a late write, a
 * hint replayed after a release, the losing side of a claimant race), and hands them off the same way.
 *
 * <p>Crash-safe and resumable: a sync merges what it fetched into the store as it goes, so a restarted receiver
 * continues with the difference only (its trees are rebuilt first), and what was published is kept by membership.
 * Each sync takes a permit of the node's background budget ("handoff"), so a handoff storm cannot starve requests.
 *
 * <p>Thread-safety: ticks run on the scheduler, sync callbacks on transport and background threads; the small
 * state is guarded by this object's monitor, never held across a sync, a drop or a publish.
 */
public final class Handoff implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Handoff.class);

    private final NodeId self;
    private final ClusterMembership membership;
    private final AntiEntropy antiEntropy;
    private final StorageEngine storage;
    private final Scheduler scheduler;
    private final Clock clock;
    private final HandoffConfig config;

    // Guarded by this.
    private long target;
    private long firstVersion;
    private long seenSinceNanos = -1;
    private BitSet finished = new BitSet();
    private final Map<Integer, TransferProgress> progress = new HashMap<>();
    private final Map<Integer, Boolean> inFlight = new HashMap<>();
    private long lastStrayCheckNanos;
    private boolean strayBacklog;
    private Cancellable timer;
    private boolean closed;
    private long partitionsReceived;
    private long partitionsReleased;
    private long straysDropped;
    private long keysMoved;
    private long bytesMoved;

    public Handoff(NodeId self, ClusterMembership membership, AntiEntropy antiEntropy, StorageEngine storage,
            Scheduler scheduler, Clock clock, HandoffConfig config) {
        this.self = Objects.requireNonNull(self, "self");
        this.membership = Objects.requireNonNull(membership, "membership");
        this.antiEntropy = Objects.requireNonNull(antiEntropy, "antiEntropy");
        this.storage = Objects.requireNonNull(storage, "storage");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.config = Objects.requireNonNull(config, "config");
        this.lastStrayCheckNanos = clock.nanoTime();
    }

    public synchronized void start() {
        if (!closed && timer == null) {
            timer = scheduler.schedule(this::tick, config.tickMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops looking for work; syncs in progress finish. */
    @Override
    public synchronized void close() {
        closed = true;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** The partitions in handoff now, and finished ones of the current transition. */
    public synchronized List<TransferProgress> transfers() {
        List<TransferProgress> out = new ArrayList<>(progress.values());
        out.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        return out;
    }

    public synchronized HandoffStats stats() {
        return new HandoffStats(partitionsReceived, partitionsReleased, straysDropped, keysMoved, bytesMoved,
                inFlight.size());
    }

    private void tick() {
        try {
            step();
        } catch (RuntimeException e) {
            LOG.warn("{}: handoff tick failed", self, e);
        } finally {
            synchronized (this) {
                timer = closed ? null : scheduler.schedule(this::tick, config.tickMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** One look for work; package-private so tests can drive it. */
    void step() {
        RingState s = membership.ring();
        if (s == null) {
            return; // still joining: nothing is this node's yet
        }
        long now = clock.nanoTime();
        List<Work> starts = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            if (s.settled()) {
                if (target != 0) {
                    logDone(s);
                }
                target = 0;
                seenSinceNanos = -1;
                progress.values().removeIf(t -> t.role() != TransferProgress.Role.STRAY);
                // Once strays turn up, look every tick until none is left, not once an interval.
                if (strayBacklog
                        || now - lastStrayCheckNanos >= TimeUnit.MILLISECONDS.toNanos(config.strayCheckMillis())) {
                    lastStrayCheckNanos = now;
                    strayBacklog = strays(s, starts);
                }
            } else {
                long id = s.targetId();
                if (id != target) {
                    target = id;
                    firstVersion = s.version();
                    seenSinceNanos = -1;
                    finished = membership.published(id);
                    progress.clear();
                    LOG.info("{}: ring change to {} members: {} partitions move", self, s.to().size(),
                            s.moving().cardinality());
                }
                if (seenSinceNanos < 0 && membership.allHaveSeen(firstVersion)) {
                    seenSinceNanos = now;
                }
                if (seenSinceNanos >= 0 && now - seenSinceNanos >= TimeUnit.MILLISECONDS.toNanos(config.quietMillis())) {
                    transfers(s, starts);
                }
            }
        }
        starts.forEach(this::run);
    }

    /** Under the lock, as the ring settles: this node's part of the change, one line. */
    private void logDone(RingState s) {
        long received = 0;
        long released = 0;
        long keys = 0;
        long bytes = 0;
        for (TransferProgress t : progress.values()) {
            if (t.state() == TransferProgress.State.DONE) {
                received += t.role() == TransferProgress.Role.RECEIVE ? 1 : 0;
                released += t.role() == TransferProgress.Role.RELEASE ? 1 : 0;
            }
            keys += t.keysMoved();
            bytes += t.bytesMoved();
        }
        LOG.info("{}: ring change done, {} members: this node received {} partitions and released {}, {} keys and"
                + " {} bytes moved", self, s.to().size(), received, released, keys, bytes);
    }

    private record Work(int partition, TransferProgress.Role role, List<NodeId> peers, long target) {
    }

    /** Under the lock: what to start now within the concurrency, and WAITING entries for the rest. */
    private void transfers(RingState s, List<Work> starts) {
        // An old replica gives a partition up only once every live member holds a state that says it is done, so
        // no coordinator still reads it from the old replicas after this one dropped it.
        boolean doneSeen = membership.allHaveSeen(s.version());
        for (int p = 0; p < s.partitionCount(); p++) {
            TransferProgress.Role role;
            List<NodeId> peers;
            if (!s.isDone(p) && s.receivers(p).contains(self)) {
                role = TransferProgress.Role.RECEIVE;
                peers = alive(s.replicasIn(s.from(), p));
            } else if (s.isDone(p) && s.leavers(p).contains(self) && doneSeen) {
                role = TransferProgress.Role.RELEASE;
                peers = alive(s.replicasIn(s.to(), p));
            } else {
                continue;
            }
            if (finished.get(p)) {
                progress.computeIfAbsent(p, x -> TransferProgress.of(x, role, TransferProgress.State.DONE, List.of()));
                continue;
            }
            if (inFlight.containsKey(p)) {
                continue;
            }
            TransferProgress old = progress.getOrDefault(p,
                    TransferProgress.of(p, role, TransferProgress.State.WAITING, peers));
            if (peers.isEmpty() || inFlight.size() >= config.concurrency()) {
                progress.put(p, old.in(TransferProgress.State.WAITING, peers));
                continue;
            }
            inFlight.put(p, true);
            progress.put(p, old.in(TransferProgress.State.SYNCING, peers));
            starts.add(new Work(p, role, peers, target));
        }
    }

    /**
     * Under the lock: held partitions this settled node is no replica of, to hand off once all replicas are live.
     * Returns whether any was found (started or not).
     */
    private boolean strays(RingState s, List<Work> starts) {
        boolean found = false;
        for (int p = 0; p < s.partitionCount(); p++) {
            List<NodeId> replicas = s.replicasIn(s.to(), p);
            if (replicas.contains(self) || storage.trees().tree(p).keyCount() == 0) {
                continue;
            }
            found = true;
            if (inFlight.containsKey(p) || inFlight.size() >= config.concurrency()) {
                continue;
            }
            List<NodeId> peers = alive(replicas);
            if (peers.size() < replicas.size()) {
                continue; // every replica must take the stray copy before it goes
            }
            inFlight.put(p, true);
            progress.put(p, TransferProgress.of(p, TransferProgress.Role.STRAY, TransferProgress.State.SYNCING,
                    peers));
            starts.add(new Work(p, TransferProgress.Role.STRAY, peers, 0));
        }
        return found;
    }

    private List<NodeId> alive(List<NodeId> nodes) {
        List<NodeId> out = new ArrayList<>();
        for (NodeId n : nodes) {
            if (!n.equals(self) && membership.isAlive(n)) {
                out.add(n);
            }
        }
        return out;
    }

    private void run(Work w) {
        LOG.debug("{}: handoff of partition {} starts: {} {}", self, w.partition(), switch (w.role()) {
            case RECEIVE -> "receiving from";
            case RELEASE -> "releasing to";
            case STRAY -> "handing a stray copy to";
        }, w.peers());
        syncAll(w, 0, true).thenCompose(converged -> {
            if (!converged) {
                return CompletableFuture.completedFuture(false);
            }
            if (w.role() == TransferProgress.Role.RECEIVE) {
                return CompletableFuture.completedFuture(true);
            }
            return storage.dropPartition(w.partition()).thenApply(v -> true);
        }).whenComplete((ok, failure) -> finish(w, failure == null && ok, failure));
    }

    /** Syncs with each peer in turn; completes with whether every one converged. */
    private CompletableFuture<Boolean> syncAll(Work w, int i, boolean allSoFar) {
        if (i == w.peers().size()) {
            return CompletableFuture.completedFuture(allSoFar);
        }
        return antiEntropy.sync(w.partition(), w.peers().get(i), "handoff").thenCompose(report -> {
            synchronized (this) {
                long keys = report.keysFetched() + report.keysPushed();
                long bytes = report.bytesSent() + report.bytesReceived();
                keysMoved += keys;
                bytesMoved += bytes;
                TransferProgress t = progress.get(w.partition());
                if (t != null) {
                    progress.put(w.partition(), t.plusSync(keys, bytes));
                }
            }
            return syncAll(w, i + 1, allSoFar && report.converged());
        });
    }

    private void finish(Work w, boolean done, Throwable failure) {
        BitSet publish = null;
        long publishTarget = 0;
        synchronized (this) {
            inFlight.remove(w.partition());
            TransferProgress t = progress.get(w.partition());
            if (failure != null) {
                LOG.warn("{}: handoff of partition {} failed: {}", self, w.partition(), failure.toString());
            }
            if (!done) {
                if (t != null) {
                    progress.put(w.partition(), t.in(TransferProgress.State.WAITING));
                }
                return;
            }
            switch (w.role()) {
                case RECEIVE -> partitionsReceived++;
                case RELEASE -> partitionsReleased++;
                case STRAY -> straysDropped++;
            }
            LOG.debug("{}: handoff of partition {} done: {} keys, {} bytes moved", self, w.partition(),
                    t == null ? 0 : t.keysMoved(), t == null ? 0 : t.bytesMoved());
            if (w.role() == TransferProgress.Role.STRAY) {
                progress.remove(w.partition());
                return;
            }
            if (t != null) {
                progress.put(w.partition(), t.in(TransferProgress.State.DONE));
            }
            if (w.target() == target) {
                finished.set(w.partition());
                publish = (BitSet) finished.clone();
                publishTarget = target;
            }
        }
        if (publish != null) {
            membership.publishFinished(publishTarget, publish);
        }
        // The next partition starts now, not at the next tick: a join moves hundreds of partitions.
        scheduler.execute(this::step);
    }
}
