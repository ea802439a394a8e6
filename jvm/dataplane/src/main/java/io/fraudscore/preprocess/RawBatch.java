package io.fraudscore.preprocess;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Raw Kafka records gathered for one call into the Python adapters, written as Python's pickle of one
 * {@code bytes} object (protocol 3: PyFlink's {@code PICKLED_BYTE_ARRAY} hands it to Python with one
 * {@code pickle.loads}, where a Java {@code byte[]} would become a tuple of ints). Inside, per record,
 * big-endian: topic index (int), partition (int), offset (long), Kafka timestamp in ms (long, -1 if none),
 * length (int), then the record's bytes ({@code preprocessor_job/batch.py} reads it). Flink-free.
 */
public final class RawBatch {
    static final int RECORD_HEADER = 4 + 4 + 8 + 8 + 4;
    private static final int PICKLE_HEADER = 2 + 1 + 4; // PROTO 3, BINBYTES, length (little-endian)

    private final Buffer out = new Buffer();
    private final ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER).order(ByteOrder.BIG_ENDIAN);
    private int records;

    public RawBatch() {
        clear();
    }

    public void add(int topic, int partition, long offset, long timestampMs, byte[] value) {
        header.clear();
        header.putInt(topic).putInt(partition).putLong(offset).putLong(timestampMs).putInt(value.length);
        out.write(header.array(), 0, RECORD_HEADER);
        out.write(value, 0, value.length);
        records++;
    }

    public int records() {
        return records;
    }

    /** Bytes of records so far, headers included. */
    public int bytes() {
        return out.size() - PICKLE_HEADER;
    }

    /** The pickle of the batch; the batch stays as it is until {@link #clear()}. */
    public byte[] toPickle() {
        byte[] pickle = out.toByteArrayWithStop();
        int length = pickle.length - PICKLE_HEADER - 1;
        ByteBuffer.wrap(pickle, 3, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(length);
        return pickle;
    }

    public void clear() {
        out.reset();
        out.write(new byte[] {(byte) 0x80, 3, 'B', 0, 0, 0, 0}, 0, PICKLE_HEADER);
        records = 0;
    }

    /** A ByteArrayOutputStream that copies its buffer out once, with pickle's STOP opcode after it. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(64 * 1024);
        }

        byte[] toByteArrayWithStop() {
            byte[] copy = java.util.Arrays.copyOf(buf, count + 1);
            copy[count] = '.';
            return copy;
        }
    }
}
