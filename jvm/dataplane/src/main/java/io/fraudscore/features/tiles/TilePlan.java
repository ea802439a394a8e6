package io.fraudscore.features.tiles;

import io.fraudscore.features.aggregate.AggregateFunction;
import io.fraudscore.features.aggregate.Accumulators;
import io.fraudscore.features.aggregate.Distinct;
import io.fraudscore.features.aggregate.Family;
import io.fraudscore.features.aggregate.Moments;
import io.fraudscore.features.aggregate.Summary;
import io.fraudscore.features.sketch.Sketch;
import io.fraudscore.features.state.Persistent;
import io.fraudscore.features.value.Numbers;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * One tiled window, {@code over D every T} (dsl/tiles.py): time is cut into tiles of T (tile(ts) =
 * floor(ts / T)), and the window of an event holds the k = ceil(D / T) tiles up to and including its own.
 * A key keeps one summary per tile and slot instead of one entry per event, plus the newest tile's window,
 * kept incrementally: when the newest tile moves on, leaving tiles are subtracted (sums, distinct counts)
 * or the slot is merged afresh (min, max, first, last, sketches). Shared by every key; the state is a
 * {@link TiledWindow}.
 *
 * <p>Tile summaries by family: MOMENTS a {@link Moments} (exact sums, so subtracting never drifts),
 * DISTINCT the tile's set of values (the window's {@link Distinct} counts the tiles each value is in),
 * SKETCH a {@link Sketch}, MIN and MAX a {@link Best}, ENDS a {@link Span}.
 */
public final class TilePlan {
    private final long millis;
    private final long tileMs;
    private final long latenessMs;
    private final long span;
    private final List<EnumSet<AggregateFunction>> functions = new ArrayList<>();
    private int[] sources = new int[0];
    private Family[] families = new Family[0];

    public TilePlan(long millis, long tileMs, long latenessMs) {
        if (millis <= 0 || tileMs <= 0 || latenessMs < 0) {
            throw new IllegalArgumentException("a tiled window needs D > 0, T > 0 and lateness >= 0");
        }
        this.millis = millis;
        this.tileMs = tileMs;
        this.latenessMs = latenessMs;
        this.span = tilesSpanned(millis, tileMs);
    }

    public long millis() {
        return millis;
    }

    public long tileMs() {
        return tileMs;
    }

    public long latenessMs() {
        return latenessMs;
    }

    /**
     * The slot that answers {@code function} over input {@code source}: aggregates of one family over the
     * same input share one. Call for every aggregate before the first {@link #newState}.
     */
    public int accumulatorFor(int source, Family family, AggregateFunction function) {
        for (int i = 0; i < sources.length; i++) {
            if (sources[i] == source && families[i] == family) {
                functions.get(i).add(function);
                return i;
            }
        }
        int slot = sources.length;
        sources = Arrays.copyOf(sources, slot + 1);
        families = Arrays.copyOf(families, slot + 1);
        sources[slot] = source;
        families[slot] = family;
        functions.add(EnumSet.of(function));
        return slot;
    }

    public TiledWindow newState() {
        return new TiledWindow(this, emptyWindow());
    }

    /**
     * The window summaries, by slot, for an event at {@code ts}: the newest tile's window (rolled forward
     * first if ts starts a newer tile), or, for an event in an older tile, a window merged afresh.
     * Read them with {@link Summary#result} before {@link #add}.
     */
    public Summary[] answerAt(TiledWindow state, long ts) {
        long tile = Math.floorDiv(ts, tileMs);
        if (!state.started) {
            return state.running;
        }
        if (tile > state.newest) {
            roll(state, tile, ts);
        }
        if (tile == state.newest) {
            return state.running;
        }
        return window(state, tile);
    }

    /** Adds the event's non-null inputs to its tile and, when that tile is in the window, to the window. */
    public void add(TiledWindow state, long ts, Object[] inputs, boolean late) {
        if (late) {
            return;
        }
        long tile = Math.floorDiv(ts, tileMs);
        if (!state.started) {
            state.started = true;
            state.newest = tile;
        }
        Object[] summaries = state.tile(tile);
        if (summaries == null) {
            summaries = emptyTile();
            state.insert(tile, summaries);
        }
        boolean inWindow = tile > state.newest - span;
        long arrival = state.arrivals++;
        Summary[] running = state.running;
        for (int slot = 0; slot < sources.length; slot++) {
            Object x = inputs[sources[slot]];
            if (x == null) {
                continue;
            }
            switch (families[slot]) {
                case MOMENTS -> {
                    ((Moments) summaries[slot]).add(arrival, x);
                    if (inWindow) {
                        ((Moments) running[slot]).add(arrival, x);
                    }
                }
                case DISTINCT -> { // a window counts the tiles a value is in: once per tile
                    Object key = Numbers.key(x);
                    if (((TileValues) summaries[slot]).keys.add(key) && inWindow) {
                        ((Distinct) running[slot]).add(arrival, key);
                    }
                }
                case SKETCH -> { // hash once for the tile and the window
                    int packed = Sketch.registerAndRank(x);
                    ((Sketch) summaries[slot]).raiseRegister(packed >>> 8, packed & 0xFF);
                    if (inWindow) {
                        ((Sketch) running[slot]).raiseRegister(packed >>> 8, packed & 0xFF);
                    }
                }
                case MIN, MAX -> {
                    ((Best) summaries[slot]).add(x);
                    if (inWindow) {
                        ((Best) running[slot]).add(x);
                    }
                }
                case ENDS -> {
                    ((Span) summaries[slot]).add(ts, arrival, x);
                    if (inWindow) {
                        ((Span) running[slot]).add(ts, arrival, x);
                    }
                }
            }
        }
    }

    /**
     * The newest tile moves on: tiles that leave the window are taken out of it (sums and distinct counts
     * subtract; min, max, first, last and sketches are merged again), tiles no accepted event can reach
     * are forgotten.
     */
    private void roll(TiledWindow state, long tile, long ts) {
        long previous = state.newest;
        state.newest = tile;
        if (tile - previous >= span) {
            state.running = window(state, tile);
        } else {
            int from = state.firstAtOrAfter(previous - span + 1);
            int to = state.firstAtOrAfter(tile - span + 1); // the leaving tiles are [from, to)
            Summary[] running = state.running;
            for (int slot = 0; slot < running.length && from < to; slot++) {
                switch (families[slot]) {
                    case MOMENTS -> {
                        for (int t = from; t < to; t++) {
                            ((Moments) running[slot]).merge((Moments) state.tileAt(t)[slot], -1);
                        }
                    }
                    case DISTINCT -> {
                        Distinct distinct = (Distinct) running[slot];
                        for (int t = from; t < to; t++) {
                            for (Object key : ((TileValues) state.tileAt(t)[slot]).keys) {
                                distinct.remove(0, key);
                            }
                        }
                    }
                    default -> running[slot] = windowSlot(state, tile, slot);
                }
            }
        }
        long oldestNeeded = Math.floorDiv(ts - latenessMs, tileMs) - span + 1;
        state.forgetBefore(oldestNeeded);
    }

    /** The summaries of the window ending with {@code tile}, merged afresh from its tiles. */
    private Summary[] window(TiledWindow state, long tile) {
        Summary[] window = emptyWindow();
        int end = state.firstAtOrAfter(tile + 1);
        for (int t = state.firstAtOrAfter(tile - span + 1); t < end; t++) {
            Object[] summaries = state.tileAt(t);
            for (int slot = 0; slot < window.length; slot++) {
                merge(slot, window[slot], summaries[slot]);
            }
        }
        return window;
    }

    private Summary windowSlot(TiledWindow state, long tile, int slot) {
        Summary window = emptyWindowSummary(slot);
        int end = state.firstAtOrAfter(tile + 1);
        for (int t = state.firstAtOrAfter(tile - span + 1); t < end; t++) {
            merge(slot, window, state.tileAt(t)[slot]);
        }
        return window;
    }

    private void merge(int slot, Summary window, Object tile) {
        switch (families[slot]) {
            case MOMENTS -> ((Moments) window).merge((Moments) tile, 1);
            case DISTINCT -> {
                for (Object key : ((TileValues) tile).keys) {
                    ((Distinct) window).add(0, key);
                }
            }
            case SKETCH -> ((Sketch) window).merge((Sketch) tile);
            case MIN, MAX -> ((Best) window).merge((Best) tile);
            case ENDS -> ((Span) window).merge((Span) tile);
        }
    }

    Summary[] emptyWindow() {
        Summary[] window = new Summary[sources.length];
        for (int slot = 0; slot < window.length; slot++) {
            window[slot] = emptyWindowSummary(slot);
        }
        return window;
    }

    private Summary emptyWindowSummary(int slot) {
        return switch (families[slot]) {
            case MOMENTS, DISTINCT -> Accumulators.create(families[slot], functions.get(slot));
            case SKETCH -> new Sketch();
            case MIN -> new Best(true);
            case MAX -> new Best(false);
            case ENDS -> new Span();
        };
    }

    Object[] emptyTile() {
        Object[] tile = new Object[sources.length];
        for (int slot = 0; slot < tile.length; slot++) {
            tile[slot] = families[slot] == Family.DISTINCT ? new TileValues() : emptyWindowSummary(slot);
        }
        return tile;
    }

    void writeSummary(DataOutput out, Object summary) throws IOException {
        ((Persistent) summary).writeTo(out);
    }

    void readSummary(DataInput in, Object summary) throws IOException {
        ((Persistent) summary).readFrom(in);
    }

    /** k: the tiles a window holds, its own included (ceil(D / T)). */
    public static long tilesSpanned(long millis, long tileMs) {
        return -Math.floorDiv(-millis, tileMs);
    }

    /**
     * At most how many tiles a key keeps for one tiled window: k + ceil(lateness / T) + 1. Python's
     * {@code math.ceil(lateness_ms / tile_ms)} divides in floats; so does this (the same for any lateness
     * and tile below 2**53 ms).
     */
    public static long tilesHeld(long millis, long tileMs, long latenessMs) {
        return tilesSpanned(millis, tileMs) + (long) Math.ceil((double) latenessMs / (double) tileMs) + 1;
    }
}
