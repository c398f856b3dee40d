/**
 * The bodies of the wire protocol's messages as records, each with {@code encode()} and a static
 * {@code decode(byte[])}, plus the frame header, opcodes, flags, versions and limits. Pure: no Netty, no I/O.
 * Decoders reject anything but the exact encoding with a {@code MalformedEncodingException} (BAD_REQUEST on the
 * wire), or a {@code LimitExceededException} (TOO_LARGE) for over-long keys and PING payloads.
 */
package io.chorus.transport.protocol;
