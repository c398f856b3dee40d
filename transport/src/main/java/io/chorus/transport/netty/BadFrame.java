package io.chorus.transport.netty;

import io.chorus.core.error.ErrorCode;

/**
 * What the frame decoder emits instead of throwing when the stream is broken: a length below the header size or
 * over the limit, reserved flag bits, version 0. The stream cannot be resynchronised, so whoever receives it
 * answers with {@link #code()} (if it is a server) and closes the connection. {@code opcode} and
 * {@code requestId} are 0 when the header could not be read. Immutable.
 */
public record BadFrame(ErrorCode code, String reason, int opcode, long requestId) {
}
