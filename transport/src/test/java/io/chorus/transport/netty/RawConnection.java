package io.chorus.transport.netty;

import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.Role;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A blocking socket speaking raw frames, for tests that need a peer the real client would never be: one that does
 * not say HELLO, does not read, half-closes, or reuses ids. Not thread-safe.
 */
final class RawConnection implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** Connects; {@code receiveBuffer > 0} shrinks the socket's receive buffer first (a peer slow to read). */
    RawConnection(String host, int port, int receiveBuffer) throws IOException {
        this(null, host, port, receiveBuffer);
    }

    /** Connects from {@code localHost} (another loopback address, 127.0.0.2, is another source), any port. */
    static RawConnection from(String localHost, String host, int port) throws IOException {
        return new RawConnection(localHost, host, port, 0);
    }

    private RawConnection(String localHost, String host, int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        if (localHost != null) {
            socket.bind(new InetSocketAddress(localHost, 0));
        }
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void send(Frame... frames) throws IOException {
        out.write(TrackedBuffers.bytes(frames));
        out.flush();
    }

    /** Bytes {@code from} to {@code to} of {@code bytes}, as they are: part of a frame, or not a frame at all. */
    void write(byte[] bytes, int from, int to) throws IOException {
        out.write(bytes, from, to - from);
        out.flush();
    }

    void hello(Role role, String name) throws IOException {
        send(Frame.request(1, Opcodes.HELLO, 1, HelloRequest.of(role, name).encode()));
    }

    void timeoutMillis(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** The next frame, or null when the server closed the connection; fails after the socket's timeout. */
    Frame read() throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        int version = in.readUnsignedByte();
        int opcode = in.readUnsignedShort();
        int flags = in.readUnsignedByte();
        long id = in.readLong();
        byte[] body = new byte[length - Frame.HEADER_BYTES];
        in.readFully(body);
        return new Frame(version, opcode, flags, id, body);
    }

    /** Whether the server closed the connection: reads and drops frames until end of stream or the timeout. */
    boolean closedByServer(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        try {
            while (read() != null) {
                // replies sent before the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
