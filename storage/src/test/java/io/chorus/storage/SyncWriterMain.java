package io.chorus.storage;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The child process of {@link SyncSyscallTest}: opens an engine with the given durability, writes {@code rounds}
 * rounds of {@code perRound} concurrent puts, waiting for each round's acknowledgements (so every round is at
 * least one group-commit batch, and some batches hold several writes), then prints
 * {@code ACKED batches=<n> writes=<n>}, the batches the engine's stats count (exact once a batch's futures have
 * completed: the count goes up before they do) and the writes acknowledged, and closes it.
 *
 * <p>Usage: {@code SyncWriterMain <dataDir> <SYNC|NOSYNC> <rounds> <perRound>}
 */
public final class SyncWriterMain {

    private SyncWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Durability durability = Durability.valueOf(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int perRound = Integer.parseInt(args[3]);
        ActorId actor = ActorId.of("sync-writer", 1);
        long acked = 0;
        try (LmdbStorageEngine engine =
                LmdbStorageEngine.open(StorageConfig.builder(dir).durability(durability).build())) {
            for (int round = 0; round < rounds; round++) {
                List<CompletableFuture<SiblingSet>> acks = new ArrayList<>();
                for (int i = 0; i < perRound; i++) {
                    byte[] key = ("r" + round + "-" + i).getBytes(StandardCharsets.UTF_8);
                    acks.add(engine.put(7, key, SiblingSet.empty().update(VersionVector.empty(), actor, key, 1)));
                }
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                acked += acks.size();
            }
            System.out.println("ACKED batches=" + engine.stats().batchesCommitted() + " writes=" + acked);
        }
    }
}
