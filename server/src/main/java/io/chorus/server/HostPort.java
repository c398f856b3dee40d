package io.chorus.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A host (name or literal, IPv6 without brackets) and a port, as written in configuration: {@code host:port} or
 * {@code [v6]:port}. Port 0 means an ephemeral port where a listener is meant. Nothing is resolved here: a name
 * may resolve only later, or differently on other machines. Immutable.
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("no host");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '[' || c == ']' || c == '/') {
                throw new IllegalArgumentException("host '" + host + "' has a character no host name has");
            }
        }
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
    }

    /**
     * Parses {@code host:port} or {@code [v6]:port}.
     *
     * @throws IllegalArgumentException with a message that says what is wrong, to follow a key's name
     */
    public static HostPort parse(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + text + "' is not [v6 address]:port");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + text + "' has no port (host:port)");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("'" + text + "': an IPv6 address needs brackets, as in [::1]:7100");
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has no host (0.0.0.0 listens on every interface)");
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + text + "' has no valid port (host:port, port 0..65535)");
        }
        return new HostPort(host, Integer.parseInt(port));
    }

    /**
     * Whether the host is the wildcard address (0.0.0.0, ::), which a socket can listen on but nobody can be
     * told to connect to. Only literals are checked: a name is never resolved for this.
     */
    public boolean isWildcard() {
        boolean literal = host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
        if (!literal) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isAnyLocalAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The host as given (not resolved again) and port of {@code address}. */
    public static HostPort of(java.net.InetSocketAddress address) {
        return new HostPort(address.getHostString(), address.getPort());
    }

    public HostPort withPort(int port) {
        return new HostPort(host, port);
    }

    /** A socket address for binding or connecting; resolves a name now if it can. */
    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
