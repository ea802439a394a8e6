package io.fraudscore.preprocess;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The adapters' answer to one {@link RawBatch}: Python's pickle of one {@code bytes} object (what PyFlink
 * makes of a {@code PICKLED_BYTE_ARRAY} result), holding, per outcome, big-endian: kind (byte: 0 an event,
 * 1 a reject), then the lengths (int) of id, key and value, then their UTF-8 bytes. An event's id is the
 * channel's natural id (de-duplication key), its key the one it gets on {@code events}, its value the
 * canonical JSON; a reject's key is its channel and its value the {@code dlq} record. Flink-free.
 */
public final class Outcomes {
    public static final byte EVENT = 0;
    public static final byte REJECT = 1;
    static final int HEADER = 1 + 4 + 4 + 4;

    /** What is done with each outcome. */
    public interface Visitor {
        void event(String id, String key, String json);

        void reject(String channel, String dlqRecord);
    }

    private Outcomes() {}

    /** Visits every outcome in a pickled answer, in order. */
    public static void read(byte[] pickle, Visitor visitor) {
        ByteBuffer in = ByteBuffer.wrap(pickle).order(ByteOrder.BIG_ENDIAN);
        int end = bytesPayload(pickle, in);
        while (in.position() < end) {
            if (end - in.position() < HEADER) {
                throw new IllegalArgumentException("an outcome runs past the end of its batch");
            }
            byte kind = in.get();
            int idLength = in.getInt();
            int keyLength = in.getInt();
            int valueLength = in.getInt();
            if (idLength < 0 || keyLength < 0 || valueLength < 0
                    || (long) idLength + keyLength + valueLength > end - in.position()) {
                throw new IllegalArgumentException("an outcome runs past the end of its batch");
            }
            String id = text(in, idLength);
            String key = text(in, keyLength);
            String value = text(in, valueLength);
            if (kind == EVENT) {
                visitor.event(id, key, value);
            } else if (kind == REJECT) {
                visitor.reject(key, value);
            } else {
                throw new IllegalArgumentException("unknown outcome kind " + kind);
            }
        }
    }

    /**
     * Positions {@code in} at the start of the pickled bytes object's data and returns where it ends. Reads
     * what {@code pickle.dumps(some_bytes)} writes in protocols 3 to 5: PROTO, maybe FRAME, then
     * SHORT_BINBYTES, BINBYTES or BINBYTES8.
     */
    static int bytesPayload(byte[] pickle, ByteBuffer in) {
        if (pickle.length < 3 || (pickle[0] & 0xff) != 0x80) {
            throw new IllegalArgumentException("not a pickle of protocol 2 or later");
        }
        in.position(2);
        if ((in.get(in.position()) & 0xff) == 0x95) { // FRAME, 8-byte length
            in.position(in.position() + 9);
        }
        int opcode = in.get() & 0xff;
        long length;
        ByteBuffer little = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (opcode) {
            case 'C' -> {
                length = in.get() & 0xff;
            }
            case 'B' -> {
                length = little.getInt() & 0xffffffffL;
                in.position(in.position() + 4);
            }
            case 0x8e -> {
                length = little.getLong();
                in.position(in.position() + 8);
            }
            default -> throw new IllegalArgumentException("not a pickled bytes object (opcode " + opcode + ")");
        }
        long end = in.position() + length;
        if (end > pickle.length) {
            throw new IllegalArgumentException("a pickled bytes object longer than its pickle");
        }
        return (int) end;
    }

    private static String text(ByteBuffer in, int length) {
        String text = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return text;
    }
}
