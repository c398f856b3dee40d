package io.chorus.server.cli;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import io.chorus.client.RequestOptions;
import io.chorus.server.HostPort;
import java.util.List;
import picocli.CommandLine.Option;

/** Where a data command connects and with which quorum: the options every data command shares (a mixin). */
public final class ClientOptions {

    @Option(names = "--host", defaultValue = "127.0.0.1:7100", paramLabel = "HOST:PORT",
            description = "Any node of the cluster (default: ${DEFAULT-VALUE}, the local cluster's first node).")
    String host;

    @Option(names = "--n", defaultValue = "0", description = "Replicas (0: the cluster's default).")
    int n;

    @Option(names = "--r", defaultValue = "0", description = "Replies a read waits for (0: the default).")
    int r;

    @Option(names = "--w", defaultValue = "0", description = "Acknowledgements a write waits for (0: the default).")
    int w;

    @Option(names = "--timeout", defaultValue = "0", paramLabel = "MILLIS",
            description = "Request timeout in milliseconds (0: the cluster's default).")
    long timeoutMillis;

    @Option(names = "--json", description = "Print the answer as JSON.")
    boolean json;

    ChorusClient connect() {
        HostPort seed = HostPort.parse(host);
        return ChorusClient.connect(ClientConfig.builder(List.of(seed.toSocketAddress())).clientName("chorus-cli")
                .build());
    }

    RequestOptions request() {
        RequestOptions o = RequestOptions.defaults();
        if (n > 0) {
            o = o.withN(n);
        }
        if (r > 0) {
            o = o.withR(r);
        }
        if (w > 0) {
            o = o.withW(w);
        }
        if (timeoutMillis > 0) {
            o = o.withTimeoutMillis(timeoutMillis);
        }
        return o;
    }
}
