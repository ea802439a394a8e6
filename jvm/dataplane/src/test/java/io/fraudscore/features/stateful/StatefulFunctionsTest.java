package io.fraudscore.features.stateful;

import io.fraudscore.features.value.Exact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The doctests of dsl/stateful.py, and the Python behaviours the golden file does not isolate. */
class StatefulFunctionsTest {

    private static List<Object> run(StatefulFunction f, String member, Object... xs) {
        List<Object> out = new ArrayList<>();
        for (Object x : xs) {
            f.update(x, 0);
            out.add(f.value(member));
        }
        return out;
    }

    private static double round6(Object x) {
        return Math.round((Double) x * 1e6) / 1e6;
    }

    @Test
    void prevDoctest() {
        assertEquals(java.util.Arrays.asList(null, 5.0, 7.0), run(new Prev(), null, 5.0, 7.0, 9.0));
    }

    @Test
    void prevKeepsAnIntegerALong() {
        assertEquals(java.util.Arrays.asList(null, 5L, 7.5), run(new Prev(), null, 5L, 7.5, 9L));
    }

    @Test
    void logReturnDoctest() {
        StatefulFunction r = StatefulFunctions.create("logret", List.of());
        r.update(100.0, 0);
        r.update(110.0, 0);
        assertEquals(0.09531, round6(r.value(null)));
    }

    @Test
    void logReturnIsNullForNonPositive() {
        assertEquals(java.util.Arrays.asList(null, null, null, Math.log(2.0)),
                run(new LogReturn(), null, 1L, 0L, 1L, 2L));
    }

    @Test
    void emaDoctest() {
        assertEquals(List.of(1.0, 1.5, 2.25), run(new Ema(3), null, 1.0, 2.0, 3.0));
    }

    @Test
    void emaSeededWithAnIntegerIsThatLong() {
        assertEquals(List.of(1L, 1.5), run(new Ema(3), null, 1L, 2L));
    }

    @Test
    void ewmaDoctest() {
        StatefulFunction e = StatefulFunctions.create("ewma", List.of(10L));
        e.update(0.0, 0);
        e.update(10.0, 10);
        assertEquals(6.666667, round6(e.value(null)));
    }

    @Test
    void rsiDoctest() {
        List<Object> out = run(new Rsi(2), null, 1.0, 2.0, 1.5, 2.5);
        assertNull(out.get(1));
        assertEquals(85.714286, round6(out.get(3)));
    }

    @Test
    void rsiIsFiftyOnAFlatLineAndHundredWithoutLosses() {
        assertEquals(50.0, run(new Rsi(2), null, 3L, 3L, 3L).get(2));
        assertEquals(100.0, run(new Rsi(2), null, 3L, 4L, 5.5).get(2));
    }

    @Test
    void macdDoctest() {
        StatefulFunction m = StatefulFunctions.create("macd", List.of(2L, 4L, 2L));
        for (double x : new double[] {1.0, 2.0, 3.0}) {
            m.update(x, 0);
        }
        assertEquals(0.515556, round6(m.value("line")));
        assertEquals(0.402963, round6(m.value("signal")));
        assertEquals(0.112593, round6(m.value("hist")));
    }

    @Test
    void macdAfterAFirstIntegerIsLongZero() {
        StatefulFunction m = StatefulFunctions.create("macd", List.of(2L, 4L, 2L));
        m.update(7L, 0);
        assertEquals(0L, m.value("line"));
        assertEquals(0L, m.value("signal"));
        assertEquals(0L, m.value("hist"));
    }

    @Test
    void bollingerDoctest() {
        StatefulFunction b = StatefulFunctions.create("bollinger", List.of(3L, 2L));
        b.update(1.0, 0);
        b.update(2.0, 0);
        assertNull(b.value("upper"));
        b.update(3.0, 0);
        assertEquals(2.0, b.value("mid"));
        assertEquals(3.632993, round6(b.value("upper")));
        assertEquals(0.367007, round6(b.value("lower")));
    }

    @Test
    void bollingerTakesAFractionalK() {
        StatefulFunction b = StatefulFunctions.create("bollinger", List.of(2L, 2.5));
        b.update(1L, 0);
        b.update(3L, 0);
        assertEquals(2.0, b.value("mid"));
        assertEquals(4.5, b.value("upper"));
    }

    @Test
    void integerQuotientsAreRoundedOnceAsInPython() {
        // Python: 5258986265376043509 / 7399589116837456608 is rounded once; via doubles it rounds thrice.
        assertEquals(Double.parseDouble("0x1.6be29c7c88767p-1"),
                Exact.divide(5258986265376043509L, 7399589116837456608L));
        assertEquals(Double.parseDouble("0x1.163f993d2636dp-1"),
                Exact.divide(591064915700530116L, 1087608058291172413L));
        assertEquals(-0.0, Exact.divide(0, -3));
        assertEquals(Double.parseDouble("0x1.0000000000000p+0"),
                Exact.divide(Long.MAX_VALUE, Long.MAX_VALUE - 1));
    }

    /** Python raises here (math.log of an underflowed 0.0; ** overflowing); Java gives null instead. */
    @Test
    void whereJavaCannotRaiseAsPythonDoesItGivesNull() {
        assertEquals(java.util.Arrays.asList(null, null), run(new LogReturn(), null, 1e300, 1e-300));
        StatefulFunction b = StatefulFunctions.create("bollinger", List.of(2L, 2L));
        b.update(1e200, 0);
        b.update(-1e200, 0);
        assertEquals(0.0, b.value("mid"));
        assertNull(b.value("upper"));
    }

    @Test
    void rejectsUnknownFunctionsAndWrongParameters() {
        assertThrows(IllegalArgumentException.class, () -> StatefulFunctions.create("sma", List.of(3L)));
        assertThrows(IllegalArgumentException.class, () -> StatefulFunctions.create("ema", List.of()));
        assertThrows(IllegalArgumentException.class, () -> StatefulFunctions.create("macd", List.of(1L, 2L)));
        assertThrows(IllegalArgumentException.class, () -> new Macd(1, 2, 3).value("mid"));
    }
}
