package io.chorus.core.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void unwrapsEveryLayerThatFuturesAdd() {
        ChorusException cause = new ChorusException(ErrorCode.TIMEOUT, "slow");
        Throwable wrapped = new CompletionException(new ExecutionException(new CompletionException(cause)));
        assertThat(Failures.unwrap(wrapped)).isSameAs(cause);
        Throwable joined = CompletableFuture.failedFuture(cause).thenApply(x -> x)
                .handle((v, e) -> e).join();
        assertThat(joined).isInstanceOf(CompletionException.class);
        assertThat(Failures.unwrap(joined)).isSameAs(cause);
    }

    @Test
    void keepsAWrapperWithoutACauseAndAnyOtherException() {
        CompletionException bare = new CompletionException("no cause", null);
        assertThat(Failures.unwrap(bare)).isSameAs(bare);
        IllegalStateException other = new IllegalStateException(new RuntimeException("inner"));
        assertThat(Failures.unwrap(other)).isSameAs(other);
    }
}
