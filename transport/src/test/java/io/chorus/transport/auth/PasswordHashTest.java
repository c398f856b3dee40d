package io.chorus.transport.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PasswordHashTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theRightPasswordMatchesAndNoOtherDoes() {
        String stored = PasswordHash.hash(utf8("correct horse"), 2_000);
        assertThat(PasswordHash.verify(stored, utf8("correct horse"))).isTrue();
        assertThat(PasswordHash.verify(stored, utf8("correct horsf"))).isFalse();
        assertThat(PasswordHash.verify(stored, utf8("correct hors"))).isFalse();
        assertThat(PasswordHash.verify(stored, new byte[] {(byte) 0xFF, 0x00})).as("not UTF-8").isFalse();
    }

    @Test
    void eachHashHasItsOwnSaltAndCarriesItsIterationsButNeverThePassword() {
        String a = PasswordHash.hash(utf8("same"), 2_000);
        String b = PasswordHash.hash(utf8("same"), 2_000);
        assertThat(a).isNotEqualTo(b).startsWith("pbkdf2-sha512:2000:").doesNotContain("same");
        assertThat(PasswordHash.verify(b, utf8("same"))).isTrue();
        assertThat(PasswordHash.hash(utf8("x"))).startsWith("pbkdf2-sha512:" + PasswordHash.DEFAULT_ITERATIONS + ":");
    }

    @Test
    void aMalformedStoredHashMatchesNothingAndSaysWhy() {
        String good = PasswordHash.hash(utf8("pw"), 2_000);
        String[] parts = good.split(":");
        for (String bad : new String[] {"", "plain", "md5:2000:" + parts[2] + ":" + parts[3],
                "pbkdf2-sha512:10:" + parts[2] + ":" + parts[3], "pbkdf2-sha512:2000:!!:" + parts[3],
                "pbkdf2-sha512:2000:" + parts[2] + ":" + parts[3].substring(4), good + ":extra"}) {
            assertThat(PasswordHash.verify(bad, utf8("pw"))).as(bad).isFalse();
            assertThat(PasswordHash.problem(bad)).as(bad).isNotNull();
        }
        assertThat(PasswordHash.problem(good)).isNull();
    }
}
