package io.chorus.transport.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.transport.protocol.Permission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsersFileTest {

    @TempDir
    Path dir;

    private final AtomicLong nanos = new AtomicLong();

    private void write(Path file, String text, long second) throws Exception {
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000L + second * 1000));
    }

    @Test
    void aChangedFileIsReadAgainAtTheNextCheckAndABrokenOneKeepsTheLastGoodTable() throws Exception {
        Path file = dir.resolve("users");
        write(file, "alice read -\n", 1);
        UsersFile users = UsersFile.load(file, Duration.ofSeconds(1), nanos::get);
        assertThat(users.get().user("alice").orElseThrow().roles()).containsExactly(Permission.READ);

        write(file, "alice read,write -\nbob read -\n", 2);
        assertThat(users.get().user("bob")).as("not checked again yet").isEmpty();
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(users.get().user("bob")).isPresent();
        assertThat(users.get().user("alice").orElseThrow().roles()).contains(Permission.WRITE);

        write(file, "alice read,write\n", 3); // half an edit
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(users.get().user("bob")).as("the last good table stays").isPresent();
        write(file, "carol admin -\n", 4);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(users.get().user("bob")).isEmpty();
        assertThat(users.get().user("carol")).isPresent();
    }

    @Test
    void aMissingOrBrokenFileAtStartIsAnErrorNamingIt() throws Exception {
        assertThatThrownBy(() -> UsersFile.load(dir.resolve("none"))).hasMessageContaining("none");
        Path bad = dir.resolve("bad");
        Files.writeString(bad, "x\n");
        assertThatThrownBy(() -> UsersFile.load(bad)).hasMessageContaining(bad + " line 1");
    }
}
