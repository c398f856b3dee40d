package io.chorus.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.server.EmbeddedCluster;
import io.chorus.server.MainAccess;
import io.chorus.server.security.AuthConfig;
import io.chorus.storage.Durability;
import io.chorus.transport.auth.PasswordHash;
import io.chorus.transport.auth.UserTable;
import io.chorus.transport.protocol.Permission;
import io.chorus.transport.testing.TestCertificates;
import io.chorus.transport.testing.TestCertificates.Authority;
import io.chorus.transport.testing.TestCertificates.Issued;
import io.chorus.transport.tls.TlsConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code chorus users add|remove|list} on a users file, and the data commands' {@code --user}/{@code --password-file}
 * against a cluster that authenticates with that file: what the file holds (hashes, never passwords), and what each
 * user may do from the command line.
 */
class UsersCommandTest {

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run chorus(String... args) {
        CommandLine cl = MainAccess.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    private Path password(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name + ".pw"), text + "\n");
    }

    @Test
    void addListRemoveKeepOnlyHashesInAnOwnerOnlyFile() throws Exception {
        Path users = dir.resolve("etc/users");
        Run add = chorus("users", "add", "alice", "--roles", "read,write", "--file", users.toString(),
                "--password-file", password("alice", "alice-secret").toString());
        assertThat(add.code()).as(add.err()).isZero();
        assertThat(add.out()).contains("added alice (read,write)");
        assertThat(chorus("users", "add", "svc", "--roles", "read", "--certificate-only", "--file", users.toString())
                .code()).isZero();
        String text = Files.readString(users);
        assertThat(text).doesNotContain("alice-secret").contains("alice read,write pbkdf2-sha512:").contains("svc read -");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(users))).isEqualTo("rw-------");
        UserTable table = UserTable.parse(text, "users");
        assertThat(PasswordHash.verify(table.user("alice").orElseThrow().passwordHash(),
                "alice-secret".getBytes(StandardCharsets.UTF_8))).isTrue();

        // Replacing a user changes its roles and password; the old password no longer matches.
        chorus("users", "add", "alice", "--roles", "admin", "--file", users.toString(), "--password-file",
                password("alice2", "new-secret").toString());
        UserTable after = UserTable.parse(Files.readString(users), "users");
        assertThat(after.user("alice").orElseThrow().roles()).containsExactly(Permission.ADMIN);
        assertThat(PasswordHash.verify(after.user("alice").orElseThrow().passwordHash(),
                "alice-secret".getBytes(StandardCharsets.UTF_8))).isFalse();

        Run list = chorus("users", "list", "--file", users.toString());
        assertThat(list.out()).contains("alice\tadmin\tpassword").contains("svc\tread\tcertificate");
        assertThat(chorus("users", "remove", "svc", "--file", users.toString()).code()).isZero();
        assertThat(chorus("users", "list", "--file", users.toString()).out()).doesNotContain("svc");

        Run badRole = chorus("users", "add", "bob", "--roles", "root", "--file", users.toString(), "--password-file",
                password("bob", "x").toString());
        assertThat(badRole.code()).isEqualTo(2);
        assertThat(badRole.err()).isEqualTo("chorus: unknown role 'root': roles are read, write and admin"
                + System.lineSeparator());
        assertThat(chorus("users", "remove", "nobody", "--file", users.toString()).code()).isEqualTo(2);
    }

    @Test
    void dataCommandsSignInWithUserAndPasswordFileAndAreHeldToTheirRoles() throws Exception {
        Path users = dir.resolve("users");
        chorus("users", "add", "app", "--roles", "read,write", "--file", users.toString(), "--password-file",
                password("app", "app-secret").toString());
        chorus("users", "add", "report", "--roles", "read", "--file", users.toString(), "--password-file",
                password("report", "report-secret").toString());
        Authority ca = TestCertificates.authority(Files.createDirectories(dir.resolve("ca")), "ca");
        Issued nodeCert = ca.issue("node-1");
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(1).durability(Durability.NOSYNC)
                .partitions(8).tls(n -> TlsConfig.of(nodeCert.certificateFile(), nodeCert.keyFile(),
                        ca.certificateFile())).auth(new AuthConfig(users, false)).start()) {
            String host = "127.0.0.1:" + cluster.node(0).address().getPort();
            String caFile = ca.certificateFile().toString();
            String app = dir.resolve("app.pw").toString();
            String report = dir.resolve("report.pw").toString();
            Run put = chorus("put", "--ca", caFile, "--host", host, "--user", "app", "--password-file", app, "cart", "apples");
            assertThat(put.code()).as(put.err()).isZero();
            Run get = chorus("get", "--ca", caFile, "--host", host, "--user", "report", "--password-file", report, "cart");
            assertThat(get.out()).contains("apples");
            Run forbidden = chorus("put", "--ca", caFile, "--host", host, "--user", "report", "--password-file", report,
                    "cart", "forged");
            assertThat(forbidden.code()).isEqualTo(1);
            assertThat(forbidden.err()).startsWith("chorus: FORBIDDEN: user report may not PUT");
            Run wrong = chorus("get", "--ca", caFile, "--host", host, "--user", "app", "--password-file", report, "cart");
            assertThat(wrong.code()).isEqualTo(1);
            assertThat(wrong.err()).startsWith("chorus: UNAUTHENTICATED: wrong user name or password")
                    .doesNotContain("report-secret");
            Run anonymous = chorus("get", "--ca", caFile, "--host", host, "cart");
            assertThat(anonymous.code()).isEqualTo(1);
            assertThat(anonymous.err()).startsWith("chorus: UNAUTHENTICATED:");
            Run status = chorus("status", "--ca", caFile, "--host", host, "--user", "app", "--password-file", app);
            assertThat(status.code()).isEqualTo(1);
            assertThat(status.err()).contains("FORBIDDEN");
            // The refused put stored nothing.
            Run after = chorus("get", "--ca", caFile, "--host", host, "--user", "app", "--password-file", app, "cart");
            assertThat(after.code()).as(after.err()).isZero();
            assertThat(after.out()).contains("apples").doesNotContain("forged");
        }
    }
}
