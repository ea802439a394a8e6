package io.fraudscore.features.aggregate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** first and last over a window, as Python's {@code Ends}: the window's non-null values in order. */
public final class Ends implements Accumulator {
    private final SeqQueue kept = new SeqQueue();

    @Override
    public void add(long seq, Object x) {
        kept.addLast(seq, x);
    }

    @Override
    public void remove(long seq, Object x) {
        if (!kept.isEmpty() && kept.firstSeq() == seq) {
            kept.removeFirst();
        }
    }

    @Override
    public Object result(AggregateFunction function, Object current, boolean include) {
        if (function == AggregateFunction.FIRST) {
            return !kept.isEmpty() ? kept.first() : include ? current : null;
        }
        if (include && current != null) {
            return current;
        }
        return kept.isEmpty() ? null : kept.last();
    }

    @Override
    public boolean orderFree() {
        return false;
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        kept.writeTo(out);
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        kept.readFrom(in);
    }
}
