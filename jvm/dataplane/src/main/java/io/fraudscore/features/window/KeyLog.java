package io.fraudscore.features.window;

import io.fraudscore.features.aggregate.Accumulator;
import io.fraudscore.features.state.Persistent;
import io.fraudscore.features.state.ValueCodec;
import io.fraudscore.features.tiles.TiledWindow;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * One key's window state: the log of past inputs in (ts, arrival) order (entries {@code start} to {@code end}
 * of three parallel arrays), the newest ts, where each exact window starts in the log, every accumulator of
 * the exact windows, and the tiled windows. Built and changed only by {@link WindowPlan}.
 */
public final class KeyLog implements Persistent {
    long[] ts = new long[4];
    long[] seqs = new long[4];
    Object[][] inputs = new Object[4][];
    int start;
    int end;
    boolean hasNewest;
    long newestTs;
    long nextSeq;
    long lateEvents;
    final int[] los;
    final Accumulator[] accumulators;
    final TiledWindow[] tiles;

    KeyLog(int windows, Accumulator[] accumulators, TiledWindow[] tiles) {
        this.los = new int[windows];
        this.accumulators = accumulators;
        this.tiles = tiles;
    }

    /** Entries the log holds. */
    public int size() {
        return end - start;
    }

    /** Events that came too late to change the state (DSL.md: counted in a metric). */
    public long lateEvents() {
        return lateEvents;
    }

    /** Whether the key has seen an event. */
    public boolean hasNewest() {
        return hasNewest;
    }

    /** The newest ts the key has seen, or {@code otherwise} before its first event. */
    public long newestTsOr(long otherwise) {
        return hasNewest ? newestTs : otherwise;
    }

    /** The key's tiled windows, one per tiled window of the block. */
    public java.util.List<TiledWindow> tiledWindows() {
        return java.util.List.of(tiles);
    }

    /** Room for one more entry at the end: dead entries at the head go first, then the arrays grow. */
    void makeRoom() {
        if (end < ts.length) {
            return;
        }
        if (start > 0 && start * 2 >= end) {
            compact();
            return;
        }
        int capacity = ts.length * 2;
        ts = Arrays.copyOf(ts, capacity);
        seqs = Arrays.copyOf(seqs, capacity);
        inputs = Arrays.copyOf(inputs, capacity);
    }

    private void compact() {
        int live = end - start;
        System.arraycopy(ts, start, ts, 0, live);
        System.arraycopy(seqs, start, seqs, 0, live);
        System.arraycopy(inputs, start, inputs, 0, live);
        Arrays.fill(inputs, live, end, null);
        for (int i = 0; i < los.length; i++) {
            los[i] -= start;
        }
        start = 0;
        end = live;
    }

    /** Places an entry at {@code position}, moving the later ones up by one; where it landed (making room
     * may have moved the live entries down). */
    int insertAt(int position, long entryTs, long seq, Object[] values) {
        int fromStart = position - start;
        makeRoom();
        position = start + fromStart;
        int moved = end - position;
        System.arraycopy(ts, position, ts, position + 1, moved);
        System.arraycopy(seqs, position, seqs, position + 1, moved);
        System.arraycopy(inputs, position, inputs, position + 1, moved);
        ts[position] = entryTs;
        seqs[position] = seq;
        inputs[position] = values;
        end++;
        return position;
    }

    /** The first position in [lo, hi) whose ts is after {@code now} (hi when there is none). */
    int after(long now, int lo, int hi) {
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] <= now) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    void dropHead(int cut) {
        Arrays.fill(inputs, start, cut, null);
        start = cut;
    }

    /** Times and sequence numbers as differences from the entry before (a few bytes), values tagged. */
    @Override
    public void writeTo(DataOutput out) throws IOException {
        out.writeBoolean(hasNewest);
        ValueCodec.writeLong(out, newestTs);
        ValueCodec.writeLong(out, nextSeq);
        ValueCodec.writeLong(out, lateEvents);
        ValueCodec.writeCount(out, end - start);
        long previousTs = newestTs;
        long previousSeq = nextSeq;
        for (int i = start; i < end; i++) {
            ValueCodec.writeLong(out, ts[i] - previousTs);
            ValueCodec.writeLong(out, seqs[i] - previousSeq);
            previousTs = ts[i];
            previousSeq = seqs[i];
            ValueCodec.writeCount(out, inputs[i].length);
            for (Object value : inputs[i]) {
                ValueCodec.write(out, value);
            }
        }
        for (int lo : los) {
            ValueCodec.writeCount(out, lo - start);
        }
        for (Accumulator accumulator : accumulators) {
            accumulator.writeTo(out);
        }
        for (TiledWindow tiled : tiles) {
            tiled.writeTo(out);
        }
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        hasNewest = in.readBoolean();
        newestTs = ValueCodec.readLong(in);
        nextSeq = ValueCodec.readLong(in);
        lateEvents = ValueCodec.readLong(in);
        int entries = ValueCodec.readCount(in);
        int capacity = Math.max(4, Integer.highestOneBit(Math.max(1, entries)) * 2);
        ts = new long[capacity];
        seqs = new long[capacity];
        inputs = new Object[capacity][];
        long previousTs = newestTs;
        long previousSeq = nextSeq;
        for (int i = 0; i < entries; i++) {
            ts[i] = previousTs + ValueCodec.readLong(in);
            seqs[i] = previousSeq + ValueCodec.readLong(in);
            previousTs = ts[i];
            previousSeq = seqs[i];
            Object[] values = new Object[ValueCodec.readCount(in)];
            for (int j = 0; j < values.length; j++) {
                values[j] = ValueCodec.read(in);
            }
            inputs[i] = values;
        }
        start = 0;
        end = entries;
        for (int i = 0; i < los.length; i++) {
            los[i] = ValueCodec.readCount(in);
        }
        for (Accumulator accumulator : accumulators) {
            accumulator.readFrom(in);
        }
        for (TiledWindow tiled : tiles) {
            tiled.readFrom(in);
        }
    }
}
