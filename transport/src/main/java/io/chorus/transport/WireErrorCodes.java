package io.chorus.transport;

import io.chorus.core.error.ErrorCode;

/**
 * The one place where {@link ErrorCode}s meet their wire numbers (protocol.md, "Errors"). Every code maps to
 * exactly one number and back; a number this version does not know reads as INTERNAL. Stateless.
 */
public final class WireErrorCodes {

    private WireErrorCodes() {
    }

    public static int toWire(ErrorCode code) {
        return switch (code) {
            case BAD_REQUEST -> 1;
            case TOO_LARGE -> 2;
            case UNKNOWN_OPCODE -> 3;
            case UNAVAILABLE -> 4;
            case QUORUM_NOT_MET -> 5;
            case TIMEOUT -> 6;
            case OVERLOADED -> 7;
            case NOT_A_REPLICA -> 8;
            case TOO_MANY_SIBLINGS -> 9;
            case STORAGE_FULL -> 10;
            case CORRUPT -> 11;
            case UNSUPPORTED_VERSION -> 12;
            case UNAUTHENTICATED -> 13;
            case FORBIDDEN -> 14;
            case INTERNAL -> 255;
        };
    }

    /** The code for a wire number; numbers this version does not know (a newer peer's) are INTERNAL. */
    public static ErrorCode fromWire(int wire) {
        return switch (wire) {
            case 1 -> ErrorCode.BAD_REQUEST;
            case 2 -> ErrorCode.TOO_LARGE;
            case 3 -> ErrorCode.UNKNOWN_OPCODE;
            case 4 -> ErrorCode.UNAVAILABLE;
            case 5 -> ErrorCode.QUORUM_NOT_MET;
            case 6 -> ErrorCode.TIMEOUT;
            case 7 -> ErrorCode.OVERLOADED;
            case 8 -> ErrorCode.NOT_A_REPLICA;
            case 9 -> ErrorCode.TOO_MANY_SIBLINGS;
            case 10 -> ErrorCode.STORAGE_FULL;
            case 11 -> ErrorCode.CORRUPT;
            case 12 -> ErrorCode.UNSUPPORTED_VERSION;
            case 13 -> ErrorCode.UNAUTHENTICATED;
            case 14 -> ErrorCode.FORBIDDEN;
            default -> ErrorCode.INTERNAL;
        };
    }

    /** Whether {@code wire} is a number this version knows. */
    public static boolean isKnown(int wire) {
        return wire == 255 || fromWire(wire) != ErrorCode.INTERNAL;
    }
}
