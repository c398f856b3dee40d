package io.chorus.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.testkit.Withers;
import io.chorus.testkit.Withers.Case;
import org.junit.jupiter.api.Test;

class RequestOptionsTest {

    @Test
    void eachWitherChangesOnlyItsComponent() {
        Withers.check(new RequestOptions(3, 2, 2, 1000, true),
                Case.of("withN", o -> o.withN(5), "n", 5),
                Case.of("withR", o -> o.withR(1), "r", 1),
                Case.of("withW", o -> o.withW(3), "w", 3),
                Case.of("withTimeoutMillis", o -> o.withTimeoutMillis(250), "timeoutMillis", 250L),
                Case.of("withLastWriteWins", o -> o.withLastWriteWins(false), "lastWriteWins", false));
    }

    @Test
    void theFourArgumentConstructorKeepsSiblings() {
        assertThat(new RequestOptions(0, 0, 0, 0)).isEqualTo(RequestOptions.defaults());
        assertThat(RequestOptions.defaults().lastWriteWins()).isFalse();
    }
}
