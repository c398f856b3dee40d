package io.chorus.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.error.MalformedEncodingException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The HELLO's layout, with and without the credentials tail of docs/protocol.md ("Authentication"). */
class HelloRequestTest {

    @Test
    void withoutCredentialsTheHelloIsTheVersionOneLayoutByteForByte() {
        byte[] wire = HelloRequest.of(Role.CLIENT, "app").encode();
        assertThat(HexFormat.of().formatHex(wire)).isEqualTo("0101" + "00" + "03617070");
        assertThat(HelloRequest.decode(wire).credentials()).isNull();
        // One encoding per HELLO: no "none" tail.
        assertThatThrownBy(() -> HelloRequest.decode(HexFormat.of().parseHex("01010003617070" + "00")))
                .isInstanceOf(MalformedEncodingException.class);
    }

    @Test
    void passwordCredentialsFollowTheNameAndRoundTrip() {
        HelloRequest hello = HelloRequest.of(Role.CLIENT, "app").withCredentials(PasswordCredentials.of("al", "pw"));
        byte[] wire = hello.encode();
        assertThat(HexFormat.of().formatHex(wire)).isEqualTo("01010003617070" + "01" + "02616c" + "027077");
        HelloRequest back = HelloRequest.decode(wire);
        assertThat(back).isEqualTo(hello);
        assertThat(new String(back.credentials().password())).isEqualTo("pw");
    }

    @Test
    void thePasswordIsNeverInAStringForm() {
        HelloRequest hello = HelloRequest.of(Role.CLIENT, "app")
                .withCredentials(PasswordCredentials.of("alice", "s3cret-value"));
        assertThat(hello.toString()).contains("alice").doesNotContain("s3cret");
        assertThat(hello.credentials().toString()).contains("alice").doesNotContain("s3cret");
    }

    @Test
    void badTailsAreMalformed() {
        assertThatThrownBy(() -> HelloRequest.decode(HexFormat.of().parseHex("01010003617070" + "02")))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("auth 2");
        // A password tail with an empty password, with a node role, with bytes left over.
        assertThatThrownBy(() -> HelloRequest.decode(HexFormat.of().parseHex("01010003617070" + "01" + "02616c00")))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("password");
        assertThatThrownBy(() -> HelloRequest.decode(HexFormat.of().parseHex("01010103617070" + "01" + "02616c027077")))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("node");
        assertThatThrownBy(() -> HelloRequest.decode(HexFormat.of().parseHex("01010003617070" + "01" + "02616c02707700")))
                .isInstanceOf(MalformedEncodingException.class);
    }
}
