package io.fraudscore.features.aggregate;

import io.fraudscore.features.value.Numbers;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * min or max over a window, as Python's {@code Extreme}: a monotonic deque of the values that can still
 * become the extreme as older ones leave. A newer value equal to an older one replaces it, and a result
 * is one of the values given (a Long stays a Long beside an equal Double), as Python's {@code min}/{@code max}.
 */
public final class Extreme implements Accumulator {
    private final boolean smallest;
    private final SeqQueue kept = new SeqQueue();

    public Extreme(boolean smallest) {
        this.smallest = smallest;
    }

    @Override
    public void add(long seq, Object x) {
        if (smallest) {
            while (!kept.isEmpty() && Numbers.compare(kept.last(), x) >= 0) {
                kept.removeLast();
            }
        } else {
            while (!kept.isEmpty() && Numbers.compare(kept.last(), x) <= 0) {
                kept.removeLast();
            }
        }
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
        Object best = kept.isEmpty() ? null : kept.first();
        if (!include || current == null) {
            return best;
        }
        if (best == null) {
            return current;
        }
        int c = Numbers.compare(current, best); // Python's min/max keep the first of equals
        return (smallest ? c < 0 : c > 0) ? current : best;
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
