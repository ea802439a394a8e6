package io.fraudscore.features.tiles;

import io.fraudscore.features.aggregate.Summary;
import io.fraudscore.features.state.Persistent;
import io.fraudscore.features.state.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * One key's state for one tiled window (Python's {@code Tiles}): a summary per slot for each tile held,
 * the window of the newest tile, that tile's index, and how many events have arrived (the tie-break of
 * first and last). Tiles are kept sorted by index in two parallel arrays: they arrive almost always as
 * the newest and leave as the oldest, so a look-up is mostly one comparison and nothing is boxed.
 */
public final class TiledWindow implements Persistent {
    private final TilePlan plan;
    private long[] indexes = new long[4];
    private Object[][] tiles = new Object[4][];
    private int size;
    Summary[] running;
    boolean started;
    long newest;
    long arrivals;

    TiledWindow(TilePlan plan, Summary[] running) {
        this.plan = plan;
        this.running = running;
    }

    /** How many tiles the key holds. */
    public int tileCount() {
        return size;
    }

    /** The summaries of tile {@code index}, or null. */
    Object[] tile(long index) {
        if (size > 0 && indexes[size - 1] == index) {
            return tiles[size - 1];
        }
        int at = Arrays.binarySearch(indexes, 0, size, index);
        return at >= 0 ? tiles[at] : null;
    }

    void insert(long index, Object[] summaries) {
        int at = size > 0 && indexes[size - 1] < index ? size : -Arrays.binarySearch(indexes, 0, size, index) - 1;
        if (size == indexes.length) {
            indexes = Arrays.copyOf(indexes, 2 * size);
            tiles = Arrays.copyOf(tiles, 2 * size);
        }
        System.arraycopy(indexes, at, indexes, at + 1, size - at);
        System.arraycopy(tiles, at, tiles, at + 1, size - at);
        indexes[at] = index;
        tiles[at] = summaries;
        size++;
    }

    /** The position of the first tile at or after {@code index} (size if none). */
    int firstAtOrAfter(long index) {
        int at = Arrays.binarySearch(indexes, 0, size, index);
        return at >= 0 ? at : -at - 1;
    }

    long indexAt(int position) {
        return indexes[position];
    }

    Object[] tileAt(int position) {
        return tiles[position];
    }

    int size() {
        return size;
    }

    /** Drops the tiles before {@code index}. */
    void forgetBefore(long index) {
        int gone = firstAtOrAfter(index);
        if (gone > 0) {
            System.arraycopy(indexes, gone, indexes, 0, size - gone);
            System.arraycopy(tiles, gone, tiles, 0, size - gone);
            Arrays.fill(tiles, size - gone, size, null);
            size -= gone;
        }
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        out.writeBoolean(started);
        if (!started) {
            return;
        }
        ValueCodec.writeLong(out, newest);
        ValueCodec.writeLong(out, arrivals);
        for (Summary window : running) {
            plan.writeSummary(out, window);
        }
        ValueCodec.writeCount(out, size);
        for (int t = 0; t < size; t++) {
            ValueCodec.writeLong(out, indexes[t]);
            for (Object summary : tiles[t]) {
                plan.writeSummary(out, summary);
            }
        }
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        started = in.readBoolean();
        if (!started) {
            return;
        }
        newest = ValueCodec.readLong(in);
        arrivals = ValueCodec.readLong(in);
        for (Summary window : running) {
            plan.readSummary(in, window);
        }
        size = 0;
        int count = ValueCodec.readCount(in);
        for (int t = 0; t < count; t++) {
            long index = ValueCodec.readLong(in);
            Object[] summaries = plan.emptyTile();
            for (Object summary : summaries) {
                plan.readSummary(in, summary);
            }
            insert(index, summaries);
        }
    }
}
