package io.chorus.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.transport.protocol.ErrorBody;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class WireErrorCodesTest {

    @Test
    void numbersAreTheSpecTable() {
        Map<ErrorCode, Integer> spec = new EnumMap<>(ErrorCode.class);
        spec.put(ErrorCode.BAD_REQUEST, 1);
        spec.put(ErrorCode.TOO_LARGE, 2);
        spec.put(ErrorCode.UNKNOWN_OPCODE, 3);
        spec.put(ErrorCode.UNAVAILABLE, 4);
        spec.put(ErrorCode.QUORUM_NOT_MET, 5);
        spec.put(ErrorCode.TIMEOUT, 6);
        spec.put(ErrorCode.OVERLOADED, 7);
        spec.put(ErrorCode.NOT_A_REPLICA, 8);
        spec.put(ErrorCode.TOO_MANY_SIBLINGS, 9);
        spec.put(ErrorCode.STORAGE_FULL, 10);
        spec.put(ErrorCode.CORRUPT, 11);
        spec.put(ErrorCode.UNSUPPORTED_VERSION, 12);
        spec.put(ErrorCode.UNAUTHENTICATED, 13);
        spec.put(ErrorCode.FORBIDDEN, 14);
        spec.put(ErrorCode.INTERNAL, 255);
        assertThat(spec).hasSize(ErrorCode.values().length);
        Set<Integer> seen = new HashSet<>();
        for (ErrorCode code : ErrorCode.values()) {
            int wire = WireErrorCodes.toWire(code);
            assertThat(wire).as(code.name()).isEqualTo(spec.get(code));
            assertThat(WireErrorCodes.fromWire(wire)).isEqualTo(code);
            assertThat(WireErrorCodes.isKnown(wire)).isTrue();
            assertThat(seen.add(wire)).isTrue();
        }
        assertThat(WireErrorCodes.fromWire(0)).isEqualTo(ErrorCode.INTERNAL);
        assertThat(WireErrorCodes.isKnown(15)).isFalse();
    }

    @Test
    void failuresMapToErrorBodies() {
        assertThat(ErrorBody.from(new CompletionException(new ChorusException(ErrorCode.NOT_A_REPLICA, "no")))
                .errorCode()).isEqualTo(ErrorCode.NOT_A_REPLICA);
        assertThat(ErrorBody.from(new MalformedEncodingException("bad varint")).errorCode())
                .isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(ErrorBody.from(new RejectedExecutionException()).errorCode()).isEqualTo(ErrorCode.OVERLOADED);
        ErrorBody internal = ErrorBody.from(new NullPointerException("oops"));
        assertThat(internal.errorCode()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(internal.message()).contains("NullPointerException", "oops");
        ErrorBody forwarded = ErrorBody.from(new RemoteException(ErrorCode.QUORUM_NOT_MET, 5, "1 of 2", 1, 2));
        assertThat(forwarded).isEqualTo(ErrorBody.of(ErrorCode.QUORUM_NOT_MET, "1 of 2", 1, 2));
        assertThat(ErrorBody.from(new IllegalStateException("x".repeat(5000))).message()).hasSizeLessThan(1100);
    }
}
