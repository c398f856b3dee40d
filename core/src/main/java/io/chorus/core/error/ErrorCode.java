package io.chorus.core.error;

/**
 * Why a request failed, as clients see it. The wire protocol carries these codes; every typed exception in Chorus
 * maps to exactly one.
 */
public enum ErrorCode {
    /** The request was malformed or impossible (bad N/R/W, bad context bytes). Retrying will not help. */
    BAD_REQUEST,
    /** A key, value or frame exceeded a configured limit. */
    TOO_LARGE,
    UNKNOWN_OPCODE,
    /** Not enough reachable replicas to even try. */
    UNAVAILABLE,
    /** Fewer than R or W replicas answered in time; the error carries how many did. */
    QUORUM_NOT_MET,
    TIMEOUT,
    /** The node sheds load; retry later or elsewhere. */
    OVERLOADED,
    NOT_A_REPLICA,
    /** A put would leave more siblings than the configured maximum: the key needs a merge by its readers. */
    TOO_MANY_SIBLINGS,
    /** The disk is full; the write was not applied and earlier writes are intact. */
    STORAGE_FULL,
    /** Stored or received bytes could not be decoded. */
    CORRUPT,
    /** Client and server share no protocol version. */
    UNSUPPORTED_VERSION,
    /**
     * The connection could not prove the identity it claims: a wrong password, no credentials where they are
     * required, an untrusted or expired certificate, or (with TLS) a node HELLO without a verified certificate
     * naming that node. The connection is closed; retrying with the same credentials will not help.
     */
    UNAUTHENTICATED,
    /**
     * The identity is proven but may not do this: a request its roles do not allow (a read-only user's PUT, an
     * admin opcode from a writer), or a node message from a node that is not a member. The connection stays open.
     */
    FORBIDDEN,
    INTERNAL
}
