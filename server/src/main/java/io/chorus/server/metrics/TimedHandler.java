package io.chorus.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Timer;
import io.chorus.core.NodeId;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.protocol.ErrorBody;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Times the requests of a handler by opcode and counts its failures by the error code the caller receives (the
 * same mapping the transport applies to the reply). Opcodes without a timer pass through untimed, their failures
 * still counted. The time runs from the call to the answer, the replicas' and the store's waits included.
 * Thread-safe.
 */
final class TimedHandler implements RequestHandler {

    private final RequestHandler delegate;
    private final Map<Integer, Timer> timers;
    private final Map<Integer, String> names;
    private final Map<ErrorCode, Counter> errors;
    private final SlowRequests slow;

    TimedHandler(RequestHandler delegate, Map<Integer, Timer> timers, Map<Integer, String> names,
            EnumMap<ErrorCode, Counter> errors, SlowRequests slow) {
        this.delegate = delegate;
        this.timers = Map.copyOf(timers);
        this.names = Map.copyOf(names);
        this.errors = errors.clone();
        this.slow = slow;
    }

    @Override
    public boolean nonBlocking(int opcode) {
        return delegate.nonBlocking(opcode);
    }

    @Override
    public CompletableFuture<Message> handle(NodeId from, Message request) {
        int opcode = request.opcode();
        long start = System.nanoTime();
        CompletableFuture<Message> answer;
        try {
            answer = delegate.handle(from, request);
        } catch (RuntimeException | Error e) {
            finished(opcode, start, e);
            throw e;
        }
        return answer.whenComplete((reply, failure) -> finished(opcode, start, failure));
    }

    private void finished(int opcode, long start, Throwable failure) {
        long took = System.nanoTime() - start;
        ErrorCode code = failure == null ? null : ErrorBody.from(failure).errorCode();
        if (code != null) {
            errors.get(code).inc();
        }
        Timer timer = timers.get(opcode);
        if (timer != null) {
            timer.update(took, TimeUnit.NANOSECONDS);
            slow.took(names.get(opcode), took, code == null ? "ok" : code.name());
        }
    }
}
