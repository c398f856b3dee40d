package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.chorus.client.ChorusClient;
import io.chorus.client.ChorusObject;
import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.server.security.AuthConfig;
import io.chorus.storage.Durability;
import io.chorus.transport.auth.PasswordHash;
import io.chorus.transport.auth.UserTable;
import io.chorus.transport.protocol.Permission;
import io.chorus.transport.testing.TestCertificates;
import io.chorus.transport.testing.TestCertificates.Authority;
import io.chorus.transport.testing.TestCertificates.Issued;
import io.chorus.transport.tls.TlsConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS cluster whose nodes authenticate clients against a users file, anonymous access off: each user gets what
 * its roles allow and nothing else, refused writes store nothing, strangers get UNAUTHENTICATED, and a user added
 * to the file can connect without a restart.
 */
class AuthClusterTest {

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String hash(String password) {
        return PasswordHash.hash(b(password));
    }

    private static ChorusException refusal(Supplier<CompletableFuture<?>> call) {
        ExecutionException e = catchThrowableOfType(() -> call.get().get(10, TimeUnit.SECONDS),
                ExecutionException.class);
        assertThat(e).as("refused").isNotNull();
        assertThat(e.getCause()).isInstanceOf(ChorusException.class);
        return (ChorusException) e.getCause();
    }

    @Test
    void eachUserGetsItsRolesStrangersNothingAndNewUsersNeedNoRestart() throws Exception {
        Authority ca = TestCertificates.authority(Files.createDirectories(dir.resolve("ca")), "cluster-ca");
        Path usersFile = dir.resolve("users");
        UserTable users = UserTable.empty()
                .with(new UserTable.User("ops", EnumSet.of(Permission.ADMIN), hash("ops-pw")))
                .with(new UserTable.User("app", EnumSet.of(Permission.READ, Permission.WRITE), hash("app-pw")))
                .with(new UserTable.User("report", EnumSet.of(Permission.READ), hash("report-pw")))
                .with(new UserTable.User("svc-1", EnumSet.of(Permission.READ), null));
        Files.writeString(usersFile, users.render());
        Map<NodeId, Issued> certs = new ConcurrentHashMap<>();
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).durability(Durability.NOSYNC).partitions(16)
                .tls(id -> {
                    Issued cert = certs.computeIfAbsent(id, n -> ca.issue(n.name()));
                    return TlsConfig.of(cert.certificateFile(), cert.keyFile(), ca.certificateFile());
                }).auth(new AuthConfig(usersFile, false)).start();
             ChorusClient ops = ChorusClient.connect(cluster.clientConfig().credentials("ops", "ops-pw").build());
             ChorusClient app = ChorusClient.connect(cluster.clientConfig().credentials("app", "app-pw").build());
             ChorusClient report = ChorusClient.connect(cluster.clientConfig().credentials("report", "report-pw")
                     .build())) {
            app.put(b("k"), b("v1"), null);
            ChorusObject read = report.get(b("k"));
            assertThat(read.values()).containsExactly(b("v1"));

            // A reader cannot write or delete, and its refused writes store nothing.
            assertThat(refusal(() -> report.putAsync(b("k"), b("forged"), read.context())).code())
                    .isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(refusal(() -> report.putAsync(b("new"), b("x"), null)).code()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(refusal(() -> report.deleteAsync(b("k"), read.context())).code())
                    .isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(ops.get(b("k")).values()).containsExactly(b("v1"));
            assertThat(ops.get(b("new")).values()).isEmpty();

            // A writer cannot administer; an admin can.
            java.net.InetSocketAddress node = cluster.node(0).address();
            ChorusException stats = refusal(() -> app.statsAsync(node));
            assertThat(stats.code()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(stats.getMessage()).contains("admin");
            assertThat(refusal(() -> app.repairAsync(node, OptionalInt.empty())).code())
                    .isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(refusal(() -> app.removeAsync(node, "node-3")).code()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(ops.statsAsync(node).get(10, TimeUnit.SECONDS)).isNotEmpty();
            assertThat(ops.membersAsync(node).get(10, TimeUnit.SECONDS).members()).hasSize(3);

            // Strangers: a wrong password, none at all, a certificate from another CA or one that expired.
            assertThat(catchThrowableOfType(() -> ChorusClient.connect(cluster.clientConfig()
                    .credentials("app", "guess").build()), ChorusException.class).code())
                    .isEqualTo(ErrorCode.UNAUTHENTICATED);
            ChorusException none = catchThrowableOfType(() -> ChorusClient.connect(cluster.clientConfig().build()),
                    ChorusException.class);
            assertThat(none.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
            assertThat(none.getMessage()).contains("requires authentication");
            Issued expired = ca.issueExpired("svc-1");
            assertThat(catchThrowableOfType(() -> ChorusClient.connect(cluster.clientConfig()
                    .tls(TlsConfig.of(expired.certificateFile(), expired.keyFile(), ca.certificateFile())).build()),
                    ChorusException.class).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);

            Authority other = TestCertificates.authority(Files.createDirectories(dir.resolve("other")), "other-ca");
            Issued foreign = other.issue("svc-1");
            assertThat(catchThrowableOfType(() -> ChorusClient.connect(cluster.clientConfig()
                    .tls(TlsConfig.of(foreign.certificateFile(), foreign.keyFile(), ca.certificateFile())).build()),
                    ChorusException.class).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);

            // A client certificate naming a certificate-only user is that user.
            Issued svc = ca.issue("svc-1");
            try (ChorusClient byCertificate = ChorusClient.connect(cluster.clientConfig()
                    .tls(TlsConfig.of(svc.certificateFile(), svc.keyFile(), ca.certificateFile())).build())) {
                assertThat(byCertificate.get(b("k")).values()).containsExactly(b("v1"));
                assertThat(refusal(() -> byCertificate.putAsync(b("k"), b("x"), null)).code())
                        .isEqualTo(ErrorCode.FORBIDDEN);
            }

            // A user added to the file gets in without a restart.
            Files.writeString(usersFile, users.with(new UserTable.User("late", EnumSet.of(Permission.READ),
                    hash("late-pw"))).render());
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
                try (ChorusClient late = ChorusClient.connect(cluster.clientConfig().credentials("late", "late-pw")
                        .build())) {
                    assertThat(late.get(b("k")).values()).containsExactly(b("v1"));
                }
            });
        }
    }
}
