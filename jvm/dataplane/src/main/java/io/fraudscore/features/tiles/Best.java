package io.fraudscore.features.tiles;

import io.fraudscore.features.aggregate.AggregateFunction;
import io.fraudscore.features.aggregate.Summary;
import io.fraudscore.features.state.Persistent;
import io.fraudscore.features.state.ValueCodec;
import io.fraudscore.features.value.Numbers;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * min or max of a tile or of a window of tiles. As Python's {@code min(best, x)}, a value equal to the
 * best so far (1 after 1.0) leaves the earlier one in place.
 */
public final class Best implements Summary, Persistent {
    private final boolean smallest;
    private Object value;

    public Best(boolean smallest) {
        this.smallest = smallest;
    }

    public void add(Object x) {
        value = better(value, x);
    }

    public void merge(Best other) {
        if (other.value != null) {
            add(other.value);
        }
    }

    @Override
    public Object result(AggregateFunction function, Object current, boolean include) {
        return include && current != null ? better(value, current) : value;
    }

    private Object better(Object best, Object x) {
        if (best == null) {
            return x;
        }
        int order = Numbers.compare(x, best);
        return (smallest ? order < 0 : order > 0) ? x : best;
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        ValueCodec.write(out, value);
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        value = ValueCodec.read(in);
    }
}
