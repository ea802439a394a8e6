package io.fraudscore.features.sketch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudscore.features.aggregate.AggregateFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The exact parts of Sketch that an estimate rarely shows: z's conversion, z kept across merges, state. */
class SketchTest {

    /** Python's float(z) of the exact z: BigInteger's conversion is also correctly rounded, half to even. */
    @Test
    void zConvertsToTheNearestDouble() {
        Random random = new Random(5);
        for (int i = 0; i < 200_000; i++) {
            long high = i % 3 == 0 ? 0 : random.nextInt(513);
            long low = random.nextLong();
            if (i % 5 == 0) {
                low &= -1L << random.nextInt(64); // trailing zeros: exact halves and exact values
            }
            if (i % 7 == 0) {
                low |= (1L << random.nextInt(12)) - 1; // just above a half
            }
            BigInteger z = BigInteger.valueOf(high).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(low)));
            long h = high;
            long l = low;
            assertEquals(z.doubleValue(), Sketch.toDouble(high, low), () -> "float(" + h + " * 2**64 + " + Long.toUnsignedString(l) + ")");
        }
    }

    @Test
    void zKeptOnTheWayEqualsZCounted() {
        Sketch added = new Sketch();
        for (int n = 0; n < 3000; n++) {
            added.add((long) n);
            if (n % 97 == 0) {
                Sketch merged = new Sketch();
                merged.merge(added); // z recounted from the registers
                for (Object current : new Object[] {null, "new", (long) n}) {
                    assertEquals(merged.result(AggregateFunction.DISTINCT, current, true),
                            added.result(AggregateFunction.DISTINCT, current, true), "after " + n);
                }
            }
        }
    }

    @Test
    void mergeIsTheSketchOfBothSets() {
        Sketch a = new Sketch();
        Sketch b = new Sketch();
        Sketch both = new Sketch();
        for (int n = 0; n < 800; n++) {
            (n % 2 == 0 ? a : b).add("v" + n);
            both.add("v" + n);
        }
        a.merge(b);
        assertArrayEquals(both.registers(), a.registers());
        assertEquals(both.result(AggregateFunction.DISTINCT, null, false), a.result(AggregateFunction.DISTINCT, null, false));
        long estimate = (Long) both.result(AggregateFunction.DISTINCT, null, false);
        assertTrue(Math.abs(estimate - 800) < 800 * 3 * Sketch.STANDARD_ERROR, "estimate " + estimate);
    }

    @Test
    void stateRoundTripsSparseAndDense() throws IOException {
        for (int values : new int[] {0, 5, 100, 5000}) {
            Sketch sketch = new Sketch();
            for (int n = 0; n < values; n++) {
                sketch.add("card" + n);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                sketch.writeTo(out);
            }
            Sketch restored = new Sketch();
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
            restored.readFrom(in);
            assertEquals(-1, in.read());
            assertTrue(bytes.size() <= 2 + Sketch.REGISTERS, "at most the registers: " + bytes.size());
            assertArrayEquals(sketch.registers(), restored.registers());
            for (Object current : new Object[] {null, "card0", "other"}) {
                assertEquals(sketch.result(AggregateFunction.DISTINCT, current, true),
                        restored.result(AggregateFunction.DISTINCT, current, true));
            }
        }
    }

    @Test
    void reprsAsPythonWritesThem() {
        assertEquals("str:'card-1'", PythonRepr.typed("card-1"));
        assertEquals("str:\"it's\"", PythonRepr.typed("it's"));
        assertEquals("str:'both \\' and \"'", PythonRepr.typed("both ' and \""));
        assertEquals("str:'\\x00\\t\\x7f\\x85\\xa0é\\u2028\\U000e0001😀'",
                PythonRepr.typed("\u0000\t\u007f\u0085\u00a0é\u2028\uDB40\uDC01\uD83D\uDE00"));
        assertEquals("str:'\\ud800'", PythonRepr.typed("\uD800"));
        assertEquals("int:-5", PythonRepr.typed(-5L));
        assertEquals("bool:True", PythonRepr.typed(true));
        assertEquals("float:1e+16", PythonRepr.typed(1e16));
        assertEquals("float:1234567890123456.0", PythonRepr.typed(1234567890123456.0));
        assertEquals("float:1.5e-05", PythonRepr.typed(1.5e-5));
        assertEquals("float:0.0001", PythonRepr.typed(1e-4));
        assertEquals("float:12.34", PythonRepr.typed(12.34));
        assertEquals("float:100.0", PythonRepr.typed(100.0));
        assertEquals("float:-0.0", PythonRepr.typed(-0.0));
        assertEquals("float:5e-324", PythonRepr.typed(Double.MIN_VALUE));
        assertEquals("float:2.82879384806159e+17", PythonRepr.typed(2.82879384806159E17)); // Java 17: 2.82879384806159008E17
    }
}
