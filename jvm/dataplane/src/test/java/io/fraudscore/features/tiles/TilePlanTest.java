package io.fraudscore.features.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fraudscore.features.aggregate.AggregateFunction;
import io.fraudscore.features.aggregate.Family;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The doctest of dsl/tiles.py, tile arithmetic, and the Python tie rules of Best and Span. */
class TilePlanTest {

    @Test
    void doctest() {
        TilePlan plan = new TilePlan(30, 10, 0);
        int slot = plan.accumulatorFor(0, Family.MOMENTS, AggregateFunction.SUM);
        TiledWindow state = plan.newState();
        List<Object> sums = new ArrayList<>();
        long[] ts = {1, 12, 25, 31};
        double[] xs = {1.0, 2.0, 4.0, 8.0};
        for (int i = 0; i < ts.length; i++) { // at 31 the tile of 1 has left the window
            sums.add(plan.answerAt(state, ts[i])[slot].result(AggregateFunction.SUM, xs[i], true));
            plan.add(state, ts[i], new Object[] {xs[i]}, false);
        }
        assertEquals(List.of(1.0, 3.0, 7.0, 14.0), sums);
    }

    @Test
    void tilesSpannedAndHeld() {
        assertEquals(3, TilePlan.tilesSpanned(30, 10));
        assertEquals(9, TilePlan.tilesSpanned(60_000, 7_000));
        assertEquals(3 + 2 + 1, TilePlan.tilesHeld(30, 10, 15));
        assertEquals(168 + 1 + 1, TilePlan.tilesHeld(7 * 86_400_000L, 3_600_000, 3_600_000));
    }

    @Test
    void aggregatesOfOneFamilyAndInputShareASlot() {
        TilePlan plan = new TilePlan(30, 10, 0);
        int sum = plan.accumulatorFor(0, Family.MOMENTS, AggregateFunction.SUM);
        assertEquals(sum, plan.accumulatorFor(0, Family.MOMENTS, AggregateFunction.STDDEV));
        assertEquals(sum + 1, plan.accumulatorFor(1, Family.MOMENTS, AggregateFunction.SUM));
        assertEquals(sum + 2, plan.accumulatorFor(0, Family.MIN, AggregateFunction.MIN));
    }

    @Test
    void bestKeepsTheEarlierOfEqualValues() {
        Best min = new Best(true);
        assertNull(min.result(AggregateFunction.MIN, null, true));
        min.add(1L);
        min.add(1.0);
        assertEquals(1L, min.result(AggregateFunction.MIN, null, false));
        assertEquals(1L, min.result(AggregateFunction.MIN, 1.0, true));
        assertEquals(0.5, min.result(AggregateFunction.MIN, 0.5, true));
        Best max = new Best(false);
        max.add("b");
        max.add("\uD83D\uDE00"); // U+1F600 orders after U+FFFF by code point, not by UTF-16 unit
        max.add("\uFFFF");
        assertEquals("\uD83D\uDE00", max.result(AggregateFunction.MAX, null, false));
    }

    @Test
    void spanOrdersByTimeThenArrival() {
        Span span = new Span();
        span.add(5, 0, "b");
        span.add(3, 1, "a");
        span.add(5, 2, "c");
        assertEquals("a", span.result(AggregateFunction.FIRST, "z", true));
        assertEquals("c", span.result(AggregateFunction.LAST, null, true));
        assertEquals("z", span.result(AggregateFunction.LAST, "z", true));
        Span empty = new Span();
        assertEquals("z", empty.result(AggregateFunction.FIRST, "z", true));
        assertNull(empty.result(AggregateFunction.FIRST, "z", false));
    }
}
