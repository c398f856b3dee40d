package io.chorus.transport.protocol;

import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import io.chorus.core.error.MalformedEncodingException;
import java.nio.ByteBuffer;
import java.util.OptionalInt;

/**
 * REPAIR request: {@code scope:u8}, then {@code partition:varint} when {@code scope} is 1. Scope 0 asks the node to
 * repair every partition it holds; scope 1 the one partition named (0..65535). Immutable.
 */
public record RepairRequest(OptionalInt partition) {

    private static final int ALL = 0;
    private static final int ONE = 1;

    public RepairRequest {
        if (partition == null) {
            throw new IllegalArgumentException("partition must be given (empty for all partitions)");
        }
        int p = partition.orElse(0);
        if (p < 0 || p > ProtocolLimits.MAX_PARTITION) {
            throw new IllegalArgumentException("partition " + p + " outside [0, "
                    + ProtocolLimits.MAX_PARTITION + "]");
        }
    }

    /** Every partition the node holds. */
    public static RepairRequest allPartitions() {
        return new RepairRequest(OptionalInt.empty());
    }

    /** Only {@code partition}. */
    public static RepairRequest partition(int partition) {
        return new RepairRequest(OptionalInt.of(partition));
    }

    public byte[] encode() {
        if (partition.isEmpty()) {
            return new byte[] {ALL};
        }
        int p = partition.getAsInt();
        ByteBuffer out = ByteBuffer.allocate(1 + Varint.size(p));
        out.put((byte) ONE);
        Varint.write(out, p);
        return Wire.finish(out);
    }

    public static RepairRequest decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        int scope = r.u8("repair scope");
        RepairRequest request = switch (scope) {
            case ALL -> allPartitions();
            case ONE -> partition((int) r.varlong("partition", 0, ProtocolLimits.MAX_PARTITION));
            default -> throw new MalformedEncodingException("repair scope " + scope + " is neither 0 (all) nor 1"
                    + " (one partition)");
        };
        r.expectEnd("REPAIR request");
        return request;
    }
}
