package io.fraudscore.features.tiles;

import io.fraudscore.features.aggregate.AggregateFunction;
import io.fraudscore.features.aggregate.Summary;
import io.fraudscore.features.state.Persistent;
import io.fraudscore.features.state.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** first and last by (ts, arrival) of a tile or of a window of tiles. */
public final class Span implements Summary, Persistent {
    private boolean any;
    private long firstTs;
    private long firstArrival;
    private Object first;
    private long lastTs;
    private long lastArrival;
    private Object last;

    public void add(long ts, long arrival, Object x) {
        if (!any || ts < firstTs || (ts == firstTs && arrival < firstArrival)) {
            firstTs = ts;
            firstArrival = arrival;
            first = x;
        }
        if (!any || ts > lastTs || (ts == lastTs && arrival > lastArrival)) {
            lastTs = ts;
            lastArrival = arrival;
            last = x;
        }
        any = true;
    }

    public void merge(Span other) {
        if (other.any) {
            add(other.firstTs, other.firstArrival, other.first);
            add(other.lastTs, other.lastArrival, other.last);
        }
    }

    /** first, or (any other function) last; the current event is the latest, so it is last when it counts. */
    @Override
    public Object result(AggregateFunction function, Object current, boolean include) {
        if (function == AggregateFunction.FIRST) {
            return any ? first : (include ? current : null);
        }
        if (include && current != null) {
            return current;
        }
        return last;
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        out.writeBoolean(any);
        if (any) {
            ValueCodec.writeLong(out, firstTs);
            ValueCodec.writeLong(out, firstArrival);
            ValueCodec.write(out, first);
            ValueCodec.writeLong(out, lastTs);
            ValueCodec.writeLong(out, lastArrival);
            ValueCodec.write(out, last);
        }
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        any = in.readBoolean();
        if (any) {
            firstTs = ValueCodec.readLong(in);
            firstArrival = ValueCodec.readLong(in);
            first = ValueCodec.read(in);
            lastTs = ValueCodec.readLong(in);
            lastArrival = ValueCodec.readLong(in);
            last = ValueCodec.read(in);
        }
    }
}
