package io.chorus.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.chorus.core.error.ChorusException;

/**
 * Fuzzes the HELLO decoder, password tail included: a body is rejected with a ChorusException (anything else
 * propagates and is a finding) or decodes to a HELLO that encodes back to the same bytes, except for the one other
 * spelling the format allows: an explicit "no credentials" byte, which the encoder leaves out. In {@code mvn verify}
 * it replays the seeds under
 * {@code src/test/resources/io/chorus/transport/protocol/HelloRequestFuzzTestInputs/anyBodyDecodesCanonicallyOrIsMalformed/},
 * then fuzzes for a few seconds; {@code -Pfuzz} fuzzes longer and stores findings there (transport/pom.xml). The
 * server's side of the handshake is {@code netty.HelloFuzzTest}.
 */
class HelloRequestFuzzTest {

    @FuzzTest(maxDuration = "1m")
    void anyBodyDecodesCanonicallyOrIsMalformed(byte[] body) {
        HelloRequest hello;
        try {
            hello = HelloRequest.decode(body);
        } catch (ChorusException malformed) {
            return;
        }
        // One encoding per HELLO: whatever decodes is exactly what encoding it gives.
        byte[] again = hello.encode();
        assertThat(again).isEqualTo(body);
        assertThat(HelloRequest.decode(again)).isEqualTo(hello);
        // A name may read "password=<hidden>" too (seed name_says_password_hidden); it holds no space, this does.
        assertThat(hello.toString().endsWith(", password=<hidden>]")).isEqualTo(hello.credentials() != null);
    }
}
