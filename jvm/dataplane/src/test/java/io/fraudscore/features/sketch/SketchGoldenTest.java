package io.fraudscore.features.sketch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudscore.features.aggregate.AggregateFunction;
import io.fraudscore.features.stateful.Golden;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * BLAKE2b, the typed reprs, register_and_rank and the estimates against Python's (sketch_golden.txt):
 * hashlib.blake2b over lengths around the block size and every digest size; repr and register for
 * about 1,700 floats (prices, whole numbers, powers of two, subnormals, random bit patterns), 1,600
 * ints and 900 strings that between them hold every code point where Python 3.11's isprintable flips;
 * the linear-counting logarithm for every number of zero registers; estimates of growing sketches.
 */
class SketchGoldenTest {
    private static List<String[]> lines;

    @BeforeAll
    static void read() throws IOException {
        lines = Golden.lines("sketch_golden.txt").stream().map(l -> l.split(" ")).toList();
    }

    private static List<String[]> kind(String kind) {
        List<String[]> found = lines.stream().filter(l -> l[0].equals(kind)).toList();
        assertTrue(!found.isEmpty(), "golden lines of kind " + kind);
        return found;
    }

    private static void assertRegister(String expected, Object x) {
        int packed = Sketch.registerAndRank(x);
        assertEquals(expected, (packed >>> 8) + ":" + (packed & 0xFF), () -> "register:rank of " + PythonRepr.typed(x));
    }

    @Test
    void blake2bEqualsHashlib() {
        for (String[] l : kind("blake")) {
            int length = Integer.parseInt(l[1]);
            byte[] data = new byte[length];
            for (int i = 0; i < length; i++) {
                data[i] = (byte) ((i * 7 + length) % 256);
            }
            byte[] digest = Blake2b.hash(data, Integer.parseInt(l[2]));
            assertEquals(l[3], HexFormat.of().formatHex(digest), "blake2b of " + length + " bytes");
        }
    }

    @Test
    void blake2bFedInPiecesEqualsInOne() {
        byte[] data = new byte[700];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        Blake2b pieces = new Blake2b(64);
        for (int at = 0; at < data.length; at += 37) {
            pieces.update(data, at, Math.min(37, data.length - at));
        }
        assertArrayEquals(Blake2b.hash(data, 64), pieces.digest());
    }

    @Test
    void floatReprAndRegisterEqualPython() {
        for (String[] l : kind("float")) {
            double x = Double.parseDouble(l[1]);
            assertEquals("float:" + l[2], PythonRepr.typed(x), () -> "repr of " + l[1]);
            assertRegister(l[3], x);
        }
    }

    @Test
    void intRegisterEqualsPython() {
        for (String[] l : kind("int")) {
            assertRegister(l[2], Long.parseLong(l[1]));
        }
    }

    @Test
    void stringRegisterEqualsPython() {
        for (String[] l : kind("str")) {
            assertRegister(l[2], Golden.value(l[1]));
        }
    }

    @Test
    void boolRegisterEqualsPython() {
        for (String[] l : kind("bool")) {
            assertRegister(l[2], l[1].equals("True"));
        }
    }

    /** Every input linear counting can see: the rounded counts are Python's (the logarithms may differ in the last bit). */
    @Test
    void linearCountingEqualsPythonForEveryNumberOfZeros() {
        for (String[] l : kind("linear")) {
            int zeros = Integer.parseInt(l[1]);
            double linear = Sketch.REGISTERS * StrictMath.log((double) Sketch.REGISTERS / zeros);
            double python = Double.parseDouble(l[2]);
            assertTrue(Math.abs(linear - python) <= Math.ulp(python), "512 * log(512 / " + zeros + ") within an ulp");
            assertEquals(Long.parseLong(l[3]), Sketch.estimate(Sketch.REGISTERS, zeros), "linear count, " + zeros + " zeros");
        }
    }

    @Test
    void estimatesEqualPython() {
        Sketch sketch = new Sketch();
        Sketch a = new Sketch();
        Sketch b = new Sketch();
        int n = 0;
        for (String[] l : kind("sketch")) {
            int checkpoint = Integer.parseInt(l[1]);
            for (; n < checkpoint; n++) {
                sketch.add("card" + n);
                (n % 3 != 0 ? a : b).add("card" + n);
            }
            Sketch merged = new Sketch();
            merged.merge(a);
            merged.merge(b);
            Object[] actual = {
                sketch.result(AggregateFunction.DISTINCT, null, false),
                sketch.result(AggregateFunction.DISTINCT, "card" + n, true),
                sketch.result(AggregateFunction.DISTINCT, "card" + n / 2, true),
                sketch.result(AggregateFunction.DISTINCT, (long) n, true),
                merged.result(AggregateFunction.DISTINCT, null, false),
            };
            for (int i = 0; i < actual.length; i++) {
                assertEquals(Long.parseLong(l[2 + i]), actual[i], "estimate " + i + " at " + n + " values");
            }
        }
    }
}
