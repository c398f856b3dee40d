package io.chorus.transport.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.transport.protocol.Permission;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class UserTableTest {

    private static final String HASH = PasswordHash.hash("pw".getBytes(StandardCharsets.UTF_8), 2_000);

    @Test
    void aRenderedTableParsesBackToTheSameUsers() {
        UserTable table = UserTable.empty()
                .with(new UserTable.User("alice", EnumSet.of(Permission.READ, Permission.WRITE), HASH))
                .with(new UserTable.User("app-1", EnumSet.of(Permission.READ), null));
        UserTable back = UserTable.parse(table.render(), "users");
        assertThat(back.users()).isEqualTo(table.users());
        assertThat(back.user("app-1").orElseThrow().passwordHash()).isNull();
        assertThat(back.without("alice").user("alice")).isEmpty();
    }

    @Test
    void commentsAndBlankLinesAreIgnoredAndRolesReadInAnyCase() {
        UserTable t = UserTable.parse("# users\n\n  ops  ADMIN  " + HASH + "  \n", "f");
        assertThat(t.user("ops").orElseThrow().roles()).containsExactly(Permission.ADMIN);
    }

    @Test
    void eachProblemNamesItsFileAndLine() {
        assertThatThrownBy(() -> UserTable.parse("a read " + HASH + "\nb read\n", "users.txt"))
                .hasMessageStartingWith("users.txt line 2: expected NAME ROLES HASH");
        // A line whose fields are out of order must not put the password into a log line.
        assertThatThrownBy(() -> UserTable.parse("alice s3cret-pw read", "f")).hasMessageContaining("line 1")
                .hasMessageContaining("second field is not roles").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> UserTable.parse("anonymous read -", "f")).hasMessageContaining("clients without"
                + " credentials");
        assertThatThrownBy(() -> UserTable.parse("a read plaintext", "f")).hasMessageContaining("line 1")
                .hasMessageContaining("password hash");
        assertThatThrownBy(() -> UserTable.parse("a read -\na write -", "f")).hasMessageContaining("line 2")
                .hasMessageContaining("listed twice");
    }
}
