package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.coordinator.PeerOpcodes;
import io.chorus.core.NodeId;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.protocol.Opcodes;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ReadsOnLoopTest {

    /** Declares PUT non-blocking, like the client handler, and answers every request with itself. */
    private static final RequestHandler WRITES_ON_LOOP = new RequestHandler() {
        @Override
        public CompletableFuture<Message> handle(NodeId from, Message request) {
            return CompletableFuture.completedFuture(request);
        }

        @Override
        public boolean nonBlocking(int opcode) {
            return opcode == Opcodes.PUT;
        }
    };

    @Test
    void onAddsTheReadToWhatRunsOnTheLoopAndOffLeavesTheHandlerAsItIs() {
        RequestHandler clients = ReadsOnLoop.clients(WRITES_ON_LOOP, true);
        assertThat(clients.nonBlocking(Opcodes.GET)).isTrue();
        assertThat(clients.nonBlocking(Opcodes.PUT)).isTrue();
        assertThat(clients.nonBlocking(Opcodes.STATS)).isFalse();
        RequestHandler peers = ReadsOnLoop.peers(WRITES_ON_LOOP, true);
        assertThat(peers.nonBlocking(PeerOpcodes.REPLICA_GET)).isTrue();
        assertThat(peers.nonBlocking(Opcodes.GET)).isFalse();
        assertThat(ReadsOnLoop.clients(WRITES_ON_LOOP, false)).isSameAs(WRITES_ON_LOOP);
        assertThat(ReadsOnLoop.peers(WRITES_ON_LOOP, false)).isSameAs(WRITES_ON_LOOP);

        Message get = Message.of(Opcodes.GET, new byte[] {7});
        assertThat(clients.handle(NodeId.of("c"), get).join()).isSameAs(get);
    }
}
