package io.chorus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.Ring;
import io.chorus.ring.RingCodec;
import io.chorus.ring.RingState;
import io.chorus.ring.RingStateCodec;
import io.chorus.transport.RemoteException;
import io.chorus.transport.netty.ChorusServer;
import io.chorus.transport.netty.EventLoops;
import io.chorus.transport.netty.ServerConfig;
import io.chorus.transport.protocol.ClusterInfoResponse;
import io.chorus.transport.protocol.CommitRequest;
import io.chorus.transport.protocol.CommitResponse;
import io.chorus.transport.protocol.EmptyBody;
import io.chorus.transport.protocol.JoinRequest;
import io.chorus.transport.protocol.MembersResponse;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.PlanResponse;
import io.chorus.transport.protocol.RemoveRequest;
import io.chorus.transport.protocol.RingResponse;
import io.chorus.transport.protocol.TransfersResponse;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The membership admin calls against a real {@link ChorusServer} on loopback whose client handler answers each
 * admin opcode with a fixed reply and records what it was sent: each call sends its opcode and body to the node
 * given and decodes the reply; errors and waits are those of the other admin calls.
 */
class ChorusClientMembershipTest {

    private static final NodeId SELF = NodeId.of("node-a");
    private static final Ring RING = Claim.create(List.of(Member.of(SELF)), 64);
    private static final byte[] RING_STATE = RingStateCodec.encode(RingState.initial(SELF, 3, RING));
    private static final MembersResponse MEMBERS = new MembersResponse(Optional.of(SELF), List.of(
            new MembersResponse.Member(SELF, MembersResponse.Status.UP, true, "", "127.0.0.1:7400",
                    "127.0.0.1:7401", 2, 64, 1),
            new MembersResponse.Member(NodeId.of("node-b"), MembersResponse.Status.JOINING, true, "z1", "",
                    "10.0.0.2:7401", 1, 0, 0)));
    private static final PlanResponse PLAN = new PlanResponse(Optional.of(SELF), 1, Optional.empty(), 13, 21,
            List.of(new PlanResponse.Change(PlanResponse.Kind.JOIN, NodeId.of("node-b"))),
            List.of(new PlanResponse.Receiver(NodeId.of("node-b"), 43)));
    private static final TransfersResponse TRANSFERS = new TransfersResponse(2, 21, List.of(
            new TransfersResponse.Transfer(5, TransfersResponse.Role.RELEASE, TransfersResponse.State.SYNCING,
                    List.of(NodeId.of("node-b")), 120, 4_096, 1)));
    /** A COMMIT of this token is never answered. */
    private static final long UNANSWERED = 7;

    private final EventLoops loops = EventLoops.create(1, "membership-test");
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final List<Message> received = new CopyOnWriteArrayList<>();
    private ChorusServer server;
    private InetSocketAddress address;
    private ChorusClient client;

    @BeforeEach
    void start() {
        server = new ChorusServer(ServerConfig.defaults(SELF, () -> 1).withPort(0), executor, loops);
        server.serveClients(this::handle);
        address = new InetSocketAddress("127.0.0.1", server.start());
        client = ChorusClient.connect(ClientConfig.builder(List.of(address)).requestTimeoutMillis(5_000)
                .connectTimeoutMillis(1_000).build());
        received.clear(); // the client's CLUSTER_INFO
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop();
        executor.shutdownNow();
        loops.close();
    }

    private CompletableFuture<Message> handle(NodeId from, Message request) {
        received.add(request);
        byte[] body = request.bodyUnsafe();
        return switch (request.opcode()) {
            case Opcodes.CLUSTER_INFO -> reply(request, new ClusterInfoResponse(1, RingCodec.encode(RING),
                    List.of(new ClusterInfoResponse.Endpoint(SELF, "127.0.0.1", address.getPort()))).encode());
            case Opcodes.MEMBERS -> reply(request, MEMBERS.encode());
            case Opcodes.RING -> reply(request, new RingResponse(RING_STATE).encode());
            case Opcodes.JOIN, Opcodes.LEAVE, Opcodes.REMOVE -> reply(request, EmptyBody.encode());
            case Opcodes.PLAN -> reply(request, PLAN.encode());
            case Opcodes.COMMIT -> {
                long token = CommitRequest.decode(body).token();
                if (token == UNANSWERED) {
                    yield new CompletableFuture<>();
                }
                if (token != PLAN.token()) {
                    throw new ChorusException(ErrorCode.BAD_REQUEST, "the plan changed: its token is now "
                            + PLAN.token());
                }
                yield reply(request, new CommitResponse(2).encode());
            }
            case Opcodes.TRANSFERS -> reply(request, TRANSFERS.encode());
            default -> throw new ChorusException(ErrorCode.UNKNOWN_OPCODE, "opcode " + request.opcode());
        };
    }

    private static CompletableFuture<Message> reply(Message request, byte[] body) {
        return CompletableFuture.completedFuture(Message.adopt(request.opcode(), body));
    }

    @Test
    void eachCallSendsItsOpcodeAndBodyAndDecodesTheReply() {
        assertThat(client.membersAsync(address).join()).isEqualTo(MEMBERS);
        assertThat(RingStateCodec.decode(client.ringAsync(address).join()))
                .isEqualTo(RingStateCodec.decode(RING_STATE));
        assertThat(client.joinAsync(address, "10.0.0.9:7401").join()).isNull();
        assertThat(client.leaveAsync(address).join()).isNull();
        assertThat(client.removeAsync(address, "node-c").join()).isNull();
        PlanResponse plan = client.planAsync(address).join();
        assertThat(plan).isEqualTo(PLAN);
        assertThat(client.commitAsync(address, plan.token()).join()).isEqualTo(2L);
        assertThat(client.transfersAsync(address).join()).isEqualTo(TRANSFERS);

        assertThat(received).extracting(Message::opcode).containsExactly(Opcodes.MEMBERS, Opcodes.RING,
                Opcodes.JOIN, Opcodes.LEAVE, Opcodes.REMOVE, Opcodes.PLAN, Opcodes.COMMIT, Opcodes.TRANSFERS);
        assertThat(JoinRequest.decode(received.get(2).bodyUnsafe())).isEqualTo(new JoinRequest("10.0.0.9:7401"));
        assertThat(RemoveRequest.decode(received.get(4).bodyUnsafe()))
                .isEqualTo(new RemoveRequest(NodeId.of("node-c")));
        assertThat(CommitRequest.decode(received.get(6).bodyUnsafe())).isEqualTo(new CommitRequest(13));
        for (int i : new int[] {0, 1, 3, 5, 7}) {
            assertThat(received.get(i).bodyUnsafe()).as(Opcodes.name(received.get(i).opcode())).isEmpty();
        }
    }

    @Test
    void theNodesRefusalArrivesWithItsCodeAndMessage() {
        CompletableFuture<Long> stale = client.commitAsync(address, 99);
        assertThatThrownBy(stale::join).cause().isInstanceOfSatisfying(RemoteException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(e.getMessage()).contains("the plan changed");
        });
        assertThat(client.suspectNodes()).isEmpty();
    }

    @Test
    void badArgumentsFailBeforeAnythingIsSent() {
        assertThatThrownBy(() -> client.joinAsync(address, "10.0.0.9")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> client.removeAsync(address, "node c")).isInstanceOf(IllegalArgumentException.class);
        assertThat(received).isEmpty();
    }

    /** A commit waits for gossip: its wait running out is the client's TIMEOUT and leaves the node unsuspected. */
    @Test
    void aCommitThatOutlastsItsWaitTimesOutWithoutMakingTheNodeSuspect() {
        CompletableFuture<Long> commit = client.commitAsync(address, UNANSWERED, 200);
        assertThatThrownBy(commit::join).cause().satisfies(t -> {
            assertThat(t).isInstanceOf(ChorusException.class).isNotInstanceOf(RemoteException.class);
            assertThat(((ChorusException) t).code()).isEqualTo(ErrorCode.TIMEOUT);
        });
        assertThat(client.suspectNodes()).isEmpty();
        assertThat(client.membersAsync(address).join()).isEqualTo(MEMBERS);
    }
}
