package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.server.config.ConfigOverrides;
import io.chorus.server.config.NodeFileConfig;
import io.chorus.storage.Durability;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The config files {@code chorus cluster --processes} writes are ones {@code chorus node} accepts, as meant. */
class LocalClusterLayoutTest {

    @Test
    void eachNodeGetsItsPortTheSharedSeedsAndADataDirBesideItsConfig() {
        LocalClusterLayout layout = new LocalClusterLayout(Path.of("my data"), 3, 7200, true, 4);
        NodeFileConfig c = NodeFileConfig.parse(layout.yaml(2), "node-2.yaml", new ConfigOverrides());
        assertThat(c.clusterName()).isEqualTo(LocalClusterLayout.CLUSTER_NAME);
        assertThat(c.nodeName().name()).isEqualTo("node-2");
        assertThat(c.clientListen()).isEqualTo(new HostPort("127.0.0.1", 7201));
        assertThat(c.seeds()).containsExactly(new HostPort("127.0.0.1", 7200), new HostPort("127.0.0.1", 7201),
                new HostPort("127.0.0.1", 7202));
        assertThat(c.dataDir()).isEqualTo(Path.of("my data", "node-2", "data").toAbsolutePath());
        assertThat(c.durability()).isEqualTo(Durability.NOSYNC);
        assertThat(c.storageShards()).isEqualTo(4);
        assertThat(c.coordinator().n()).isEqualTo(3);
        assertThat(layout.config(2)).isEqualTo(Path.of("my data", "node-2", "node.yaml"));
    }

    @Test
    void aSmallClusterReplicatesToEveryNodeAndPortsMustBeSeeds() {
        NodeFileConfig one = NodeFileConfig.parse(new LocalClusterLayout(Path.of("d"), 1, 7100, false, 1).yaml(1),
                "node-1.yaml", new ConfigOverrides());
        assertThat(one.coordinator().n()).isEqualTo(1);
        assertThat(one.coordinator().w()).isEqualTo(1);
        assertThat(one.durability()).isEqualTo(Durability.SYNC);
        assertThat(one.storageShards()).isEqualTo(1);
        assertThatThrownBy(() -> new LocalClusterLayout(Path.of("d"), 3, 0, false, 1))
                .hasMessageContaining("--port");
        assertThatThrownBy(() -> new LocalClusterLayout(Path.of("d"), 3, 65_534, false, 1))
                .hasMessageContaining("--port");
        assertThatThrownBy(() -> new LocalClusterLayout(Path.of("d"), 3, 7100, false, 0))
                .hasMessageContaining("storage shards must be 1 to 64");
    }
}
