package io.fraudscore.features.aggregate;

import io.fraudscore.features.state.ValueCodec;
import io.fraudscore.features.value.Numbers;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * distinct over a window, as Python's {@code Distinct}: how many times each value is in it, values equal
 * under Python's {@code ==} counting as one ({@code 1}, {@code 1.0} and {@code true}).
 */
public final class Distinct implements Accumulator {
    /** A count that changes in place, so a value seen before costs no allocation. */
    private static final class Tally {
        long n;

        Tally(long n) {
            this.n = n;
        }
    }

    private final HashMap<Object, Tally> counts = new HashMap<>();

    @Override
    public void add(long seq, Object x) {
        Object key = Numbers.key(x);
        Tally tally = counts.get(key);
        if (tally == null) {
            counts.put(key, new Tally(1));
        } else {
            tally.n++;
        }
    }

    @Override
    public void remove(long seq, Object x) {
        Object key = Numbers.key(x);
        Tally tally = counts.get(key);
        if (tally == null) {
            throw new IllegalStateException("removing a value that is not in the window: " + x);
        }
        if (--tally.n == 0) {
            counts.remove(key);
        }
    }

    @Override
    public Object result(AggregateFunction function, Object current, boolean include) {
        boolean extra = include && current != null && !counts.containsKey(Numbers.key(current));
        return (long) counts.size() + (extra ? 1 : 0);
    }

    @Override
    public boolean orderFree() {
        return true;
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        ValueCodec.writeCount(out, counts.size());
        for (Map.Entry<Object, Tally> entry : counts.entrySet()) {
            ValueCodec.write(out, entry.getKey());
            ValueCodec.writeLong(out, entry.getValue().n);
        }
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        counts.clear();
        int size = ValueCodec.readCount(in);
        for (int i = 0; i < size; i++) {
            Object key = ValueCodec.read(in);
            counts.put(key, new Tally(ValueCodec.readLong(in)));
        }
    }
}
