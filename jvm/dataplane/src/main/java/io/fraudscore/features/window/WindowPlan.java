package io.fraudscore.features.window;

import io.fraudscore.features.aggregate.Accumulator;
import io.fraudscore.features.aggregate.Accumulators;
import io.fraudscore.features.aggregate.AggregateFunction;
import io.fraudscore.features.aggregate.Family;
import io.fraudscore.features.aggregate.Summary;
import io.fraudscore.features.tiles.TilePlan;
import io.fraudscore.features.tiles.TiledWindow;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The windows of one block and the accumulators each needs, shared by every key; {@link #update} answers
 * every aggregate for an event and then lets the event into the key's windows. The same algorithm as the
 * Python reference (dsl/windows.py), so both keep the same state and answer alike: exact windows share one
 * log of past inputs; each distinct window keeps accumulators over its part of the log, so an event in time
 * order costs what enters and leaves, not a rescan. An event older than the newest is answered by scanning
 * its windows (a late one only back to DSL.md's horizon) and, unless late, joins the log. Tiled windows
 * ({@code every}, {@code approx}) are {@link TilePlan}'s.
 */
public final class WindowPlan {
    private static final int EVICT_EVERY = 16; // events between evictions: at most this many dead entries wait

    /** An exact window: time (now - millis, now] or the last {@code count} past entries. */
    private record Slide(boolean time, long millis, int count, List<Slot> slots) {}

    /** One accumulator of a slide: its input, family and the functions it answers. */
    private record Slot(int source, Family family, Set<AggregateFunction> functions) {}

    /** Where one aggregate is answered; {@code slot} is -1 for count() without a filter (the window's size). */
    private record Place(boolean tiled, int window, int slot, AggregateFunction function, int source,
                         boolean include) {}

    private final long latenessMs;
    private final long ttlMs;
    private final List<Slide> slides = new ArrayList<>();
    private final List<TilePlan> tilePlans = new ArrayList<>();
    private final List<long[]> tileKeys = new ArrayList<>();
    private final Place[] places;
    private final int[] offsets; // each slide's first accumulator in the key's flat list
    private final int[][] slidePositions; // per slide: its accumulators' flat positions
    private final int[][] slideSources; // per slide: each accumulator's input
    private final int[] flatSources;
    private final long keepMs;
    private final int keepLast;

    public WindowPlan(List<AggregateSpec> aggregates, long latenessMs, long ttlMs) {
        this.latenessMs = latenessMs;
        this.ttlMs = ttlMs;
        List<Place> placed = new ArrayList<>();
        for (AggregateSpec spec : aggregates) {
            placed.add(place(spec));
        }
        offsets = new int[slides.size()];
        slidePositions = new int[slides.size()][];
        slideSources = new int[slides.size()][];
        List<Integer> sources = new ArrayList<>();
        for (int i = 0; i < slides.size(); i++) {
            offsets[i] = sources.size();
            List<Slot> slots = slides.get(i).slots();
            slidePositions[i] = new int[slots.size()];
            slideSources[i] = new int[slots.size()];
            for (int k = 0; k < slots.size(); k++) {
                slidePositions[i][k] = offsets[i] + k;
                slideSources[i][k] = slots.get(k).source();
                sources.add(slots.get(k).source());
            }
        }
        flatSources = sources.stream().mapToInt(Integer::intValue).toArray();
        places = placed.stream()
                .map(p -> p.tiled() || p.slot() < 0 ? p : new Place(false, p.window(), offsets[p.window()] + p.slot(),
                        p.function(), p.source(), p.include()))
                .toArray(Place[]::new);
        keepMs = slides.stream().filter(Slide::time).mapToLong(Slide::millis).max().orElse(0);
        keepLast = slides.stream().filter(s -> !s.time()).mapToInt(Slide::count).max().orElse(0);
    }

    private Place place(AggregateSpec spec) {
        WindowSpec window = spec.window();
        boolean include = !window.excludeCurrent();
        if (window.tileMs() > 0) {
            int position = indexOf(tileKeys, new long[] {window.millis(), window.tileMs()});
            if (position == tilePlans.size()) {
                tilePlans.add(new TilePlan(window.millis(), window.tileMs(), latenessMs));
                tileKeys.add(new long[] {window.millis(), window.tileMs()});
            }
            Family family = window.approx() ? Family.SKETCH : Family.of(spec.function());
            int slot = tilePlans.get(position).accumulatorFor(spec.source(), family, spec.function());
            return new Place(true, position, slot, spec.function(), spec.source(), include);
        }
        long millis = window.time() ? window.millis() : 0;
        int count = window.time() ? 0 : window.pastCount();
        int position = 0;
        while (position < slides.size() && !(slides.get(position).time() == window.time()
                && slides.get(position).millis() == millis && slides.get(position).count() == count)) {
            position++;
        }
        if (position == slides.size()) {
            slides.add(new Slide(window.time(), millis, count, new ArrayList<>()));
        }
        if (spec.function() == AggregateFunction.COUNT && spec.everyEvent()) {
            return new Place(false, position, -1, spec.function(), spec.source(), include);
        }
        return new Place(false, position, slotFor(slides.get(position), spec), spec.function(), spec.source(), include);
    }

    private static int slotFor(Slide slide, AggregateSpec spec) {
        Family family = Family.of(spec.function());
        List<Slot> slots = slide.slots();
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i).source() == spec.source() && slots.get(i).family() == family) {
                slots.get(i).functions().add(spec.function());
                return i;
            }
        }
        slots.add(new Slot(spec.source(), family, EnumSet.of(spec.function())));
        return slots.size() - 1;
    }

    private static int indexOf(List<long[]> keys, long[] key) {
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i)[0] == key[0] && keys.get(i)[1] == key[1]) {
                return i;
            }
        }
        return keys.size();
    }

    public KeyLog newLog() {
        List<Accumulator> accumulators = new ArrayList<>();
        for (Slide slide : slides) {
            for (Slot slot : slide.slots()) {
                accumulators.add(Accumulators.create(slot.family(), slot.functions()));
            }
        }
        TiledWindow[] tiles = new TiledWindow[tilePlans.size()];
        for (int i = 0; i < tiles.length; i++) {
            tiles[i] = tilePlans.get(i).newState();
        }
        return new KeyLog(slides.size(), accumulators.toArray(Accumulator[]::new), tiles);
    }

    public boolean isLate(KeyLog log, long ts) {
        return log.hasNewest && ts < log.newestTs - latenessMs;
    }

    /** Every aggregate for the event at {@code ts}, into {@code results}; then the event joins the windows. */
    public void update(KeyLog log, long ts, Object[] inputs, Object[] results) {
        if (log.hasNewest && ts - log.newestTs > ttlMs) {
            forget(log);
        }
        boolean inOrder = !log.hasNewest || ts >= log.newestTs;
        if (inOrder && !slides.isEmpty() && tilePlans.isEmpty()) { // the common case, kept tight
            advance(log, ts);
            answerInOrder(log, inputs, results);
            append(log, ts, inputs);
            return;
        }
        boolean late = isLate(log, ts);
        if (inOrder && !slides.isEmpty()) {
            advance(log, ts);
        }
        answer(log, ts, inputs, inOrder, results);
        for (int i = 0; i < tilePlans.size(); i++) {
            tilePlans.get(i).add(log.tiles[i], ts, inputs, late);
        }
        if (late) {
            log.lateEvents++;
        } else if (slides.isEmpty()) { // tiled windows only: no log to keep
            log.newestTs = log.hasNewest ? Math.max(log.newestTs, ts) : ts;
            log.hasNewest = true;
        } else if (inOrder) {
            append(log, ts, inputs);
        } else {
            insert(log, ts, log.nextSeq, inputs);
            log.nextSeq++;
        }
    }

    /** The key was idle for longer than its ttl: its state is gone, its late-event count stays. */
    private void forget(KeyLog log) {
        KeyLog fresh = newLog();
        log.ts = fresh.ts;
        log.seqs = fresh.seqs;
        log.inputs = fresh.inputs;
        log.start = 0;
        log.end = 0;
        log.hasNewest = false;
        log.newestTs = 0;
        log.nextSeq = 0;
        System.arraycopy(fresh.los, 0, log.los, 0, log.los.length);
        System.arraycopy(fresh.accumulators, 0, log.accumulators, 0, log.accumulators.length);
        System.arraycopy(fresh.tiles, 0, log.tiles, 0, log.tiles.length);
    }

    private void answerInOrder(KeyLog log, Object[] inputs, Object[] results) {
        for (int i = 0; i < places.length; i++) {
            Place place = places[i];
            results[i] = place.slot() < 0
                    ? (long) (log.end - log.los[place.window()] + (place.include() ? 1 : 0))
                    : log.accumulators[place.slot()].result(place.function(), inputs[place.source()], place.include());
        }
    }

    /** Past entries at or before now - D leave each time window. */
    private void advance(KeyLog log, long ts) {
        for (int w = 0; w < slides.size(); w++) {
            Slide slide = slides.get(w);
            if (!slide.time()) {
                continue;
            }
            int lo = log.los[w];
            long limit = ts - slide.millis();
            while (lo < log.end && log.ts[lo] <= limit) {
                removeEntry(log, w, lo);
                lo++;
            }
            log.los[w] = lo;
        }
    }

    private void removeEntry(KeyLog log, int window, int entry) {
        Object[] old = log.inputs[entry];
        int[] positions = slidePositions[window];
        int[] sources = slideSources[window];
        for (int k = 0; k < positions.length; k++) {
            Object x = old[sources[k]];
            if (x != null) {
                log.accumulators[positions[k]].remove(log.seqs[entry], x);
            }
        }
    }

    /** An event at or after the newest joins the log and every exact window. */
    private void append(KeyLog log, long ts, Object[] inputs) {
        long seq = log.nextSeq++;
        log.makeRoom();
        log.ts[log.end] = ts;
        log.seqs[log.end] = seq;
        log.inputs[log.end] = inputs;
        log.end++;
        for (int k = 0; k < flatSources.length; k++) {
            Object x = inputs[flatSources[k]];
            if (x != null) {
                log.accumulators[k].add(seq, x);
            }
        }
        for (int w = 0; w < slides.size(); w++) {
            Slide slide = slides.get(w);
            if (!slide.time()) {
                while (log.end - log.los[w] > slide.count()) {
                    removeEntry(log, w, log.los[w]);
                    log.los[w]++;
                }
            }
        }
        log.newestTs = ts;
        log.hasNewest = true;
        if (seq % EVICT_EVERY == 0) {
            evict(log);
        }
    }

    private void answer(KeyLog log, long ts, Object[] inputs, boolean inOrder, Object[] results) {
        Summary[][] tiled = new Summary[tilePlans.size()][];
        for (int i = 0; i < tiled.length; i++) {
            tiled[i] = tilePlans.get(i).answerAt(log.tiles[i], ts);
        }
        int retained = inOrder ? log.start : retainedFrom(log);
        for (int i = 0; i < places.length; i++) {
            Place place = places[i];
            Object current = inputs[place.source()];
            if (place.tiled()) {
                results[i] = tiled[place.window()][place.slot()].result(place.function(), current, place.include());
            } else if (inOrder && place.slot() < 0) {
                results[i] = (long) (log.end - log.los[place.window()] + (place.include() ? 1 : 0));
            } else if (inOrder) {
                results[i] = log.accumulators[place.slot()].result(place.function(), current, place.include());
            } else {
                results[i] = rescan(log, ts, current, place, retained);
            }
        }
    }

    /**
     * An event older than the newest: its window is read from the log, from what eviction must keep (DSL.md:
     * a late event's windows are exact back to newest - lateness - the largest window; what lies further
     * back is left out even where it is not evicted yet, so that every engine answers alike).
     */
    private Object rescan(KeyLog log, long ts, Object current, Place place, int retained) {
        Slide slide = slides.get(place.window());
        int upper = Math.max(retained, log.after(ts, log.start, log.end));
        int lower = slide.time() ? log.after(ts - slide.millis(), retained, upper) : Math.max(retained, upper - slide.count());
        List<Object> values = new ArrayList<>(upper - lower + 1);
        for (int i = lower; i < upper; i++) {
            Object x = log.inputs[i][place.source()];
            if (x != null) {
                values.add(x);
            }
        }
        if (place.include() && current != null) {
            values.add(current);
        }
        return Accumulators.aggregate(place.function(), values, current);
    }

    /** An out-of-order entry joins the log and each window it falls in. */
    private void insert(KeyLog log, long ts, long seq, Object[] inputs) {
        int position = log.insertAt(log.after(ts, log.start, log.end), ts, seq, inputs);
        for (int w = 0; w < slides.size(); w++) {
            Slide slide = slides.get(w);
            int lo = log.los[w];
            boolean joins = slide.time()
                    ? ts > log.newestTs - slide.millis()
                    : position > lo || (position == lo && log.end - 1 - lo < slide.count());
            if (!joins) {
                log.los[w]++; // it lands before the window: the window's start moves with the log
                continue;
            }
            if (!slide.time() && log.end - lo > slide.count()) {
                removeEntry(log, w, lo);
                log.los[w]++;
            }
            join(log, w, position);
        }
    }

    /** Order-free accumulators take the entry; the others are rebuilt from the window, in order. */
    private void join(KeyLog log, int window, int entry) {
        int[] positions = slidePositions[window];
        int[] sources = slideSources[window];
        List<Slot> slots = slides.get(window).slots();
        for (int k = 0; k < positions.length; k++) {
            Accumulator accumulator = log.accumulators[positions[k]];
            Object x = log.inputs[entry][sources[k]];
            if (accumulator.orderFree()) {
                if (x != null) {
                    accumulator.add(log.seqs[entry], x);
                }
                continue;
            }
            Accumulator rebuilt = Accumulators.create(slots.get(k).family(), slots.get(k).functions());
            for (int i = log.los[window]; i < log.end; i++) {
                Object value = log.inputs[i][sources[k]];
                if (value != null) {
                    rebuilt.add(log.seqs[i], value);
                }
            }
            log.accumulators[positions[k]] = rebuilt;
        }
    }

    /**
     * Where the entries an accepted event can need start: those inside a window reaching back from the
     * oldest ts still accepted (newest - lateness), and the largest {@code last N}'s entries before it.
     */
    private int retainedFrom(KeyLog log) {
        long oldestAccepted = log.newestTs - latenessMs;
        int cut = log.after(oldestAccepted - keepMs, log.start, log.end);
        if (keepLast > 0) {
            int before = log.after(oldestAccepted, log.start, log.end);
            cut = Math.min(cut, Math.max(log.start, before - keepLast));
        }
        return cut;
    }

    /** Drops what no accepted event can need, except what an exact window still holds. */
    private void evict(KeyLog log) {
        int cut = retainedFrom(log);
        for (int lo : log.los) {
            cut = Math.min(cut, lo);
        }
        if (cut > log.start) {
            log.dropHead(cut);
        }
    }

    public int aggregates() {
        return places.length;
    }

    public long ttlMs() {
        return ttlMs;
    }
}
