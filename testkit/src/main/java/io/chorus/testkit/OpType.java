package io.chorus.testkit;

/** The kind of a client operation recorded in a {@link History}. */
public enum OpType {
    GET,
    PUT,
    DELETE
}
