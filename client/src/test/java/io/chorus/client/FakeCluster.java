package io.chorus.client;

import io.chorus.core.NodeId;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.Ring;
import io.chorus.transport.netty.ChorusServer;
import io.chorus.transport.netty.EventLoops;
import io.chorus.transport.netty.ServerConfig;
import io.chorus.transport.protocol.ClusterInfoResponse;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Several {@link FakeNode}s behind real Netty servers on loopback, sharing one ring they can change. A
 * {@linkplain #freezable freezable} cluster puts a {@link FreezableProxy} in front of each server and reports the
 * proxies' ports to clients, so a test can freeze a node without closing its connections.
 */
final class FakeCluster implements AutoCloseable {

    final List<FakeNode> nodes = new ArrayList<>();
    final List<ChorusServer> servers = new ArrayList<>();
    /** The ports clients are told about: the servers', or their proxies'. */
    final List<Integer> ports = new ArrayList<>();
    private final List<Integer> serverPorts = new ArrayList<>();
    private final List<FreezableProxy> proxies = new ArrayList<>();
    volatile Ring ring;
    private final EventLoops loops = EventLoops.create(2, "fake-cluster");
    private final ExecutorService executor = Executors.newFixedThreadPool(2);

    FakeCluster(int size, int servingN) {
        this(size, servingN, false);
    }

    private FakeCluster(int size, int servingN, boolean freezable) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(Member.of("node-" + i));
        }
        ring = Claim.create(members, 64);
        for (int i = 0; i < size; i++) {
            FakeNode node = new FakeNode(NodeId.of("node-" + i), () -> ring, this::endpoints, servingN);
            nodes.add(node);
            ChorusServer server = newServer(node, 0);
            servers.add(server);
            serverPorts.add(server.start());
            if (freezable) {
                FreezableProxy proxy = new FreezableProxy(loops, serverPorts.get(i));
                proxies.add(proxy);
                ports.add(proxy.start());
            } else {
                ports.add(serverPorts.get(i));
            }
        }
    }

    /** A cluster whose nodes can be frozen: see {@link #freeze}. */
    static FakeCluster freezable(int size, int servingN) {
        return new FakeCluster(size, servingN, true);
    }

    /** Node {@code i} stops reading and answering, keeping its connections open, as a stopped process does. */
    void freeze(int i) {
        proxies.get(i).freeze();
    }

    /** Node {@code i} reads again, and answers what queued up meanwhile. */
    void thaw(int i) {
        proxies.get(i).thaw();
    }

    FreezableProxy proxy(int i) {
        return proxies.get(i);
    }

    private ChorusServer newServer(FakeNode node, int port) {
        ChorusServer server = new ChorusServer(ServerConfig.defaults(node.id, () -> ring.version()).withPort(port),
                executor, loops);
        server.serveClients(node::handle);
        return server;
    }

    List<ClusterInfoResponse.Endpoint> endpoints() {
        List<ClusterInfoResponse.Endpoint> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            out.add(new ClusterInfoResponse.Endpoint(nodes.get(i).id, "127.0.0.1", ports.get(i)));
        }
        return out;
    }

    InetSocketAddress address(int i) {
        return new InetSocketAddress("127.0.0.1", ports.get(i));
    }

    FakeNode node(NodeId id) {
        return nodes.stream().filter(n -> n.id.equals(id)).findFirst().orElseThrow();
    }

    int indexOf(NodeId id) {
        return nodes.indexOf(node(id));
    }

    void stop(int i) {
        servers.get(i).stop();
    }

    /** A new server for node {@code i} on its old port, as after a process restart. */
    void restart(int i) {
        ChorusServer server = newServer(nodes.get(i), serverPorts.get(i));
        servers.set(i, server);
        server.start();
    }

    @Override
    public void close() {
        proxies.forEach(FreezableProxy::close);
        servers.forEach(ChorusServer::stop);
        executor.shutdownNow();
        loops.close();
    }
}
