package io.fraudscore.features.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every accumulator keeps (STYLE.md "Java in jvm/"), for every aggregate and kind of value:
 * add-then-remove equals fresh, a sliding window equals a brute-force pass over the same values (and
 * {@link Accumulators#aggregate}), bit for bit; split-and-merge equals whole; state survives
 * writeTo/readFrom; sums do not drift.
 */
class AggregatorContractTest {
    private static final Set<AggregateFunction> MOMENTS = EnumSet.of(AggregateFunction.COUNT, AggregateFunction.SUM,
            AggregateFunction.AVG, AggregateFunction.VAR, AggregateFunction.STDDEV, AggregateFunction.ZSCORE);

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (AggregateFunction function : AggregateFunction.values()) {
            for (Values kind : Values.values()) {
                boolean numbersOnly = Family.of(function) == Family.MOMENTS && function != AggregateFunction.COUNT
                        || Family.of(function) == Family.MIN || Family.of(function) == Family.MAX;
                boolean ordered = function == AggregateFunction.MIN || function == AggregateFunction.MAX;
                if (kind.numeric() || !numbersOnly || ordered && kind == Values.STRINGS) {
                    cases.add(Arguments.of(function, kind));
                }
            }
        }
        return cases.stream();
    }

    /** The accumulator a plan shares among a family's aggregates, and the one it makes for one alone. */
    private static List<Accumulator> accumulators(AggregateFunction function, Values kind) {
        Family family = Family.of(function);
        if (family == Family.MOMENTS && !kind.numeric()) { // count() of anything: no sums kept
            return List.of(Accumulators.create(family, EnumSet.of(function)));
        }
        Set<AggregateFunction> all = family == Family.MOMENTS ? MOMENTS : EnumSet.of(function);
        return List.of(Accumulators.create(family, all), Accumulators.create(family, EnumSet.of(function)));
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("cases")
    void addThenRemoveEqualsFresh(AggregateFunction function, Values kind) {
        Random r = new Random(function.ordinal() * 31L + kind.ordinal());
        for (int round = 0; round < 20; round++) {
            List<Accumulator> used = accumulators(function, kind);
            List<Object> values = new ArrayList<>();
            for (int i = r.nextInt(30); i >= 0; i--) {
                values.add(kind.draw(r));
            }
            for (Accumulator a : used) {
                for (int i = 0; i < values.size(); i++) {
                    a.add(i, values.get(i));
                }
                for (int i = 0; i < values.size(); i++) {
                    a.remove(i, values.get(i));
                }
            }
            Accumulator fresh = accumulators(function, kind).get(0);
            for (int i = 0; i < 5; i++) {
                Object current = i == 0 ? null : kind.draw(r);
                for (boolean include : new boolean[] {false, true}) {
                    Object expected = fresh.result(function, current, include);
                    for (Accumulator a : used) {
                        assertSame(expected, a.result(function, current, include), () -> "after " + values);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("cases")
    void slidingEqualsBruteForce(AggregateFunction function, Values kind) {
        Random r = new Random(function.ordinal() * 977L + kind.ordinal());
        List<Accumulator> sliding = accumulators(function, kind);
        ArrayDeque<long[]> seqs = new ArrayDeque<>();
        List<Object> window = new ArrayList<>();
        int historyK = 0;
        long seq = 0;
        for (int step = 0; step < 400; step++) {
            if (window.isEmpty() || r.nextInt(10) < 6) {
                Object x = kind.draw(r);
                for (Accumulator a : sliding) {
                    a.add(seq, x);
                }
                seqs.add(new long[] {seq++});
                window.add(x);
                historyK = Math.max(historyK, NaiveAggregates.places(x));
            } else {
                long oldest = seqs.poll()[0];
                Object x = window.remove(0);
                for (Accumulator a : sliding) {
                    a.remove(oldest, x);
                }
            }
            for (int i = 0; i < 3; i++) {
                Object current = r.nextInt(6) == 0 ? null : kind.draw(r);
                boolean include = r.nextBoolean();
                Object expected = NaiveAggregates.answer(function, window, historyK, current, include);
                String where = "window " + window + ", current " + current + ", include " + include;
                for (Accumulator a : sliding) {
                    assertSame(expected, a.result(function, current, include), () -> where);
                }
                List<Object> rescanned = new ArrayList<>(window);
                if (include && current != null) {
                    rescanned.add(current);
                }
                boolean dependsOnK = (function == AggregateFunction.STDDEV || function == AggregateFunction.ZSCORE)
                        && NaiveAggregates.rootPath(window, historyK, current, include && current != null);
                Object rescan = Accumulators.aggregate(function, rescanned, current);
                if (function == AggregateFunction.MIN || function == AggregateFunction.MAX) {
                    // The rescan keeps the newest of equal extremes, the sliding answer the window's: == in Python.
                    assertTrue(expected == null ? rescan == null : NaiveAggregates.pythonEquals(expected, rescan), where);
                } else if (!dependsOnK) {
                    assertSame(expected, rescan, () -> "rescan of " + where);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("cases")
    void writeToReadFromKeepsTheState(AggregateFunction function, Values kind) throws IOException {
        Random r = new Random(function.ordinal() * 7919L + kind.ordinal());
        Accumulator original = accumulators(function, kind).get(0);
        ArrayDeque<Object[]> window = new ArrayDeque<>();
        long seq = 0;
        for (int i = r.nextInt(50) + 1; i > 0; i--) {
            Object x = kind.draw(r);
            original.add(seq, x);
            window.add(new Object[] {seq++, x});
            if (r.nextInt(3) == 0) {
                Object[] oldest = window.poll();
                original.remove((Long) oldest[0], oldest[1]);
            }
        }
        byte[] bytes = bytes(original);
        Accumulator restored = accumulators(function, kind).get(0);
        restored.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
        if (!(original instanceof Distinct)) { // a HashMap may list the same keys in another order
            assertArrayEquals(bytes, bytes(restored));
        }
        for (int step = 0; step < 60; step++) { // the restored one goes on sliding as the original does
            Object current = kind.draw(r);
            String where = "after " + step;
            for (boolean include : new boolean[] {false, true}) {
                assertSame(original.result(function, current, include), restored.result(function, current, include),
                        () -> where);
            }
            if (window.isEmpty() || r.nextBoolean()) {
                Object x = kind.draw(r);
                original.add(seq, x);
                restored.add(seq, x);
                window.add(new Object[] {seq++, x});
            } else {
                Object[] oldest = window.poll();
                original.remove((Long) oldest[0], oldest[1]);
                restored.remove((Long) oldest[0], oldest[1]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Values.class, names = {"AMOUNTS", "INTEGERS", "MIXED", "TINY", "HUGE", "EDGE", "CLOSE"})
    void splitAndMergeEqualsWhole(Values kind) throws IOException {
        Random r = new Random(kind.ordinal());
        for (int round = 0; round < 50; round++) {
            List<Object> values = new ArrayList<>();
            for (int i = r.nextInt(40); i >= 0; i--) {
                values.add(kind.draw(r));
            }
            int split = r.nextInt(values.size() + 1);
            Moments whole = new Moments(true, true);
            Moments head = new Moments(true, true);
            Moments tail = new Moments(true, true);
            for (int i = 0; i < values.size(); i++) {
                whole.add(i, values.get(i));
                (i < split ? head : tail).add(i, values.get(i));
            }
            head.merge(tail, 1);
            assertArrayEquals(bytes(whole), bytes(head), () -> "merged " + values);
            // Taking the tail away again equals removing its values one by one.
            Moments removed = new Moments(true, true);
            for (int i = 0; i < values.size(); i++) {
                removed.add(i, values.get(i));
            }
            for (int i = split; i < values.size(); i++) {
                removed.remove(i, values.get(i));
            }
            whole.merge(tail, -1);
            assertArrayEquals(bytes(removed), bytes(whole), () -> "unmerged " + values);
            for (AggregateFunction function : MOMENTS) {
                Object current = kind.draw(r);
                assertSame(removed.result(function, current, true), whole.result(function, current, true), () -> "");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Values.class, names = {"AMOUNTS", "INTEGERS", "MIXED", "TINY", "HUGE", "EDGE", "CLOSE"})
    void longsAnswerAsBigIntegerDoes(Values kind) throws IOException {
        Random r = new Random(100 + kind.ordinal());
        Moments narrow = new Moments(true, true);
        Moments wide = new Moments(true, true, true);
        ArrayDeque<Object> window = new ArrayDeque<>();
        for (int step = 0; step < 3000; step++) {
            if (window.isEmpty() || r.nextInt(10) < 6) {
                Object x = kind.draw(r);
                narrow.add(step, x);
                wide.add(step, x);
                window.add(x);
            } else {
                Object x = window.poll();
                narrow.remove(step, x);
                wide.remove(step, x);
            }
            Object current = r.nextInt(5) == 0 ? null : kind.draw(r);
            boolean include = r.nextBoolean();
            for (AggregateFunction function : MOMENTS) {
                assertSame(wide.result(function, current, include), narrow.result(function, current, include),
                        () -> function + " of " + window + " with " + current);
            }
            if (step % 100 == 0) {
                assertArrayEquals(bytes(wide), bytes(narrow));
            }
        }
    }

    @Test
    void sumsDoNotDrift() throws IOException {
        Object[] cycle = {0.1, 1e15 + 0.01, 12.34, 0.1, 7L, 12.34};
        int size = 1000;
        Moments sliding = new Moments(true, true);
        for (int i = 0; i < 100_000; i++) {
            sliding.add(i, cycle[i % cycle.length]);
            if (i >= size) {
                sliding.remove(i - size, cycle[(i - size) % cycle.length]);
            }
        }
        Moments fresh = new Moments(true, true);
        List<Object> window = new ArrayList<>();
        for (int i = 100_000 - size; i < 100_000; i++) {
            fresh.add(i, cycle[i % cycle.length]);
            window.add(cycle[i % cycle.length]);
        }
        assertArrayEquals(bytes(fresh), bytes(sliding));
        int k = window.stream().mapToInt(NaiveAggregates::places).max().orElse(0);
        for (AggregateFunction function : MOMENTS) {
            Object expected = NaiveAggregates.answer(function, window, k, 12.34, true);
            assertSame(expected, sliding.result(function, 12.34, true), () -> function.toString());
        }
        for (int i = 100_000 - size; i < 100_000; i++) {
            sliding.remove(i, cycle[i % cycle.length]);
        }
        assertEquals(0L, sliding.result(AggregateFunction.SUM, null, false));
        assertSame(12.34, sliding.result(AggregateFunction.SUM, 12.34, true), () -> "sum of one");
        assertSame(0.0, sliding.result(AggregateFunction.VAR, 12.34, true), () -> "var of one");
    }

    @Test
    void aSketchIsNotAnAccumulator() {
        try {
            Accumulators.create(Family.SKETCH, EnumSet.of(AggregateFunction.DISTINCT));
            fail("SKETCH made an exact accumulator");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("sketch"));
        }
    }

    @Test
    void anEmptyRescanCountsZeroAndAnswersNothingElse() {
        for (AggregateFunction function : AggregateFunction.values()) {
            Object expected = function.counting() ? (Object) 0L : null;
            assertEquals(expected, Accumulators.aggregate(function, List.of(), 5.0), function::toString);
        }
    }

    static byte[] bytes(Accumulator a) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        a.writeTo(new DataOutputStream(buffer));
        return buffer.toByteArray();
    }

    /** Equal as Python sees results: the same type, and for a float the same bits. */
    static void assertSame(Object expected, Object actual, java.util.function.Supplier<String> where) {
        boolean same = expected == null ? actual == null
                : actual != null && expected.getClass() == actual.getClass()
                && (expected instanceof Double d
                ? Double.doubleToRawLongBits(d) == Double.doubleToRawLongBits((Double) actual)
                : expected.equals(actual));
        if (!same) {
            fail(describe(expected) + " expected, got " + describe(actual) + ": " + where.get());
        }
    }

    private static String describe(Object x) {
        return x instanceof Double d ? d + " (" + Double.toHexString(d) + ")"
                : x == null ? "null" : x + " (" + x.getClass().getSimpleName() + ")";
    }
}
