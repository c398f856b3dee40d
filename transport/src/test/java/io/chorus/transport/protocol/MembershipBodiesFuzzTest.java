package io.chorus.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Fuzzes the membership admin decoders ({@link MembershipDecoders}): the first byte picks a decoder, the rest is the
 * body. A decoder may only reject a body with {@code MalformedEncodingException} (anything else propagates and
 * fails), and a body it accepts must encode back to the same bytes (each body has one encoding). In
 * {@code mvn verify} it replays the seeds under
 * {@code src/test/resources/io/chorus/transport/protocol/MembershipBodiesFuzzTestInputs/anyBodyDecodesCanonicallyOrIsMalformed/};
 * then Jazzer mutates them for a few seconds (findings in target/fuzz/); {@code -Pfuzz} fuzzes for minutes and
 * stores findings there (transport/pom.xml):
 *
 * <pre>mvn -B verify -pl transport -am -Pfuzz</pre>
 */
class MembershipBodiesFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void anyBodyDecodesCanonicallyOrIsMalformed(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int which = (input[0] & 0xFF) % MembershipDecoders.ALL.size();
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        byte[] back = MembershipDecoders.reencodeOrNull(which, body);
        if (back != null) {
            assertThat(back).as("decoder %s", MembershipDecoders.NAMES.get(which)).isEqualTo(body);
        }
    }
}
