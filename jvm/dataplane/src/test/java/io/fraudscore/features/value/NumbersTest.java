package io.fraudscore.features.value;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Numbers against Python's rules: exact int/float order, code-point order, dict-key equality. */
class NumbersTest {
    @Test
    void anIntAndAFloatCompareExactly() {
        assertEquals(1, Numbers.compare(9007199254740993L, 9007199254740992.0)); // 2^53 + 1 > 2^53
        assertEquals(-1, Numbers.compare(9007199254740992.0, 9007199254740993L));
        assertEquals(0, Numbers.compare(9007199254740992L, 9007199254740992.0));
        assertEquals(-1, Numbers.compare(Long.MAX_VALUE, 9.223372036854775807E18)); // that float is 2^63
        assertEquals(1, Numbers.compare(Long.MIN_VALUE, -9.3e18));
        assertEquals(0, Numbers.compare(Long.MIN_VALUE, -9.223372036854775808E18));
        assertEquals(-1, Numbers.compare(2L, 2.5));
        assertEquals(1, Numbers.compare(-2L, -2.5));
        assertEquals(0, Numbers.compare(0.0, -0.0));
        assertEquals(0, Numbers.compare(0L, -0.0));
        assertEquals(0, Numbers.compare(true, 1.0));
        assertEquals(-1, Numbers.compare(false, true));
        assertThrows(IllegalArgumentException.class, () -> Numbers.compare("1", 1L));
        assertThrows(IllegalArgumentException.class, () -> Numbers.compare(1.0, "1"));
    }

    @Test
    void numbersCompareAsTheirExactValues() {
        Random r = new Random(3);
        for (int i = 0; i < 100_000; i++) {
            Object a = draw(r);
            Object b = draw(r);
            assertEquals(Integer.signum(exact(a).compareTo(exact(b))), Numbers.compare(a, b), () -> a + " vs " + b);
        }
    }

    @Test
    void stringsCompareByCodePoint() {
        String[] parts = {"a", "\uFFFD", "\uE000", "\uD83D\uDE00", "\uD800", "\uDBFF\uDFFF", "\uDC00", "z", ""};
        Random r = new Random(5);
        for (int i = 0; i < 100_000; i++) {
            String s = parts[r.nextInt(parts.length)] + parts[r.nextInt(parts.length)];
            String t = parts[r.nextInt(parts.length)] + parts[r.nextInt(parts.length)];
            int expected = Integer.signum(Arrays.compare(s.codePoints().toArray(), t.codePoints().toArray()));
            assertEquals(expected, Integer.signum(Numbers.compare(s, t)), () -> s + " vs " + t);
        }
        assertTrue(Numbers.compare("\uFFFD", "\uD83D\uDE00") < 0); // U+FFFD < U+1F600, though not as UTF-16
    }

    @ParameterizedTest
    @CsvSource({"1, 1.0", "0, -0.0", "-5, -5.0", "9007199254740992, 9007199254740992.0"})
    void equalNumbersAreOneKey(long integer, double real) {
        assertEquals(Numbers.key(integer), Numbers.key(real));
        assertEquals(Numbers.key(integer).hashCode(), Numbers.key(real).hashCode());
    }

    @Test
    void keysFollowPythonsEquality() {
        assertEquals(Numbers.key(true), Numbers.key(1L));
        assertEquals(Numbers.key(false), Numbers.key(-0.0));
        assertEquals(Numbers.key(0.5), Numbers.key(0.5));
        assertNotEquals(Numbers.key(9007199254740993L), Numbers.key(9007199254740992.0));
        assertNotEquals(Numbers.key("1"), Numbers.key(1L));
        assertEquals(Numbers.key(1e19), 1e19); // beyond the longs: no Long equals it
        assertEquals(Numbers.key(-9.223372036854775808E18), Long.MIN_VALUE);
        assertEquals("x", Numbers.key("x"));
    }

    @Test
    void aNumberIsALongOrAFiniteDouble() {
        assertTrue(Numbers.isNumber(1L));
        assertTrue(Numbers.isNumber(-0.0));
        assertFalse(Numbers.isNumber(Double.NaN));
        assertFalse(Numbers.isNumber(Double.POSITIVE_INFINITY));
        assertFalse(Numbers.isNumber(true));
        assertFalse(Numbers.isNumber("1"));
        assertFalse(Numbers.isNumber(null));
        assertEquals(9.007199254740992E15, Numbers.toDouble(9007199254740993L)); // rounds to even, as float()
        assertEquals(1.0, Numbers.toDouble(true));
    }

    private static Object draw(Random r) {
        long near = (1L << 53) + r.nextInt(9) - 4;
        return switch (r.nextInt(7)) {
            case 0 -> near;
            case 1 -> (double) near;
            case 2 -> r.nextLong();
            case 3 -> (double) r.nextLong();
            case 4 -> r.nextInt(7) - 3 + (r.nextBoolean() ? 0.5 : 0.0);
            case 5 -> (long) r.nextInt(7) - 3;
            default -> r.nextBoolean() ? Long.MAX_VALUE : 9.223372036854775807E18;
        };
    }

    private static BigDecimal exact(Object x) {
        return x instanceof Long l ? BigDecimal.valueOf(l) : new BigDecimal((Double) x);
    }
}
