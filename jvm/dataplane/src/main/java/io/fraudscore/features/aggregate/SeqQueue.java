package io.fraudscore.features.aggregate;

import io.fraudscore.features.state.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A double-ended queue of (seq, value) pairs in a ring of two parallel arrays, so that the per-event push
 * and pop allocate nothing (Python's {@code deque[tuple[int, Any]]}).
 */
final class SeqQueue {
    private long[] seqs = new long[4];
    private Object[] values = new Object[4];
    private int head;
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    long firstSeq() {
        return seqs[head];
    }

    Object first() {
        return values[head];
    }

    Object last() {
        return values[(head + size - 1) & (values.length - 1)];
    }

    void addLast(long seq, Object x) {
        if (size == values.length) {
            resize();
        }
        int i = (head + size) & (values.length - 1);
        seqs[i] = seq;
        values[i] = x;
        size++;
    }

    void removeFirst() {
        values[head] = null; // let the value go
        head = (head + 1) & (values.length - 1);
        size--;
    }

    void removeLast() {
        size--;
        values[(head + size) & (values.length - 1)] = null;
    }

    /** size, then each pair: seq as a difference from the one before, and the value. */
    void writeTo(DataOutput out) throws IOException {
        ValueCodec.writeCount(out, size);
        long previous = 0;
        for (int j = 0; j < size; j++) {
            int i = (head + j) & (values.length - 1);
            ValueCodec.writeLong(out, seqs[i] - previous);
            previous = seqs[i];
            ValueCodec.write(out, values[i]);
        }
    }

    /** Replaces the contents with what {@link #writeTo} wrote. */
    void readFrom(DataInput in) throws IOException {
        int count = ValueCodec.readCount(in);
        int capacity = Math.max(4, Integer.highestOneBit(Math.max(1, count - 1)) << 1);
        seqs = new long[capacity];
        values = new Object[capacity];
        head = 0;
        size = 0;
        long previous = 0;
        for (int j = 0; j < count; j++) {
            previous += ValueCodec.readLong(in);
            addLast(previous, ValueCodec.read(in));
        }
    }

    private void resize() {
        int n = values.length;
        long[] s = new long[2 * n];
        Object[] v = new Object[2 * n];
        for (int j = 0; j < size; j++) {
            int i = (head + j) & (n - 1);
            s[j] = seqs[i];
            v[j] = values[i];
        }
        seqs = s;
        values = v;
        head = 0;
    }
}
