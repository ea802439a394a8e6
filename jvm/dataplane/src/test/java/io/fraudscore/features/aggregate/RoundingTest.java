package io.fraudscore.features.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fraudscore.features.value.Exact;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Rounding's quotients against an independent BigInteger division (value.Exact), bit for bit. */
class RoundingTest {
    private static final BigInteger MASK = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    @Test
    void longDivisionRoundsAsExactDivision() {
        Random r = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            BigInteger n = r.nextInt(8) != 0 ? new BigInteger(r.nextInt(257), r)
                    // ties and near ties: a 54-bit odd number times a power of two
                    : BigInteger.valueOf((1L << 53) | (r.nextLong() & ((1L << 53) - 1)) | 1).shiftLeft(r.nextInt(190));
            long d = r.nextInt(4) == 0 ? 1 : 1 + (r.nextLong() >>> (64 - 1 - r.nextInt(47)));
            int exp = r.nextInt(4) == 0 ? -1100 - r.nextInt(200) : r.nextInt(2400) - 1400;
            boolean negative = r.nextBoolean();
            double actual = Rounding.divide(limb(n, 3), limb(n, 2), limb(n, 1), limb(n, 0), negative, d, exp);
            BigInteger signed = negative ? n.negate() : n;
            double expected = n.signum() == 0 ? 0.0 // Python: 0 / d is 0.0 whatever the sign flag says
                    : exp >= 0 ? Exact.divide(signed.shiftLeft(exp), BigInteger.valueOf(d))
                    : Exact.divide(signed, BigInteger.valueOf(d).shiftLeft(-exp));
            long e = Double.doubleToRawLongBits(expected);
            assertEquals(e, Double.doubleToRawLongBits(actual), () -> n + " / " + d + " · 2^" + exp);
            assertEquals(e, Double.doubleToRawLongBits(Rounding.divide(signed, BigInteger.valueOf(d), exp)),
                    () -> "BigInteger form: " + n + " / " + d + " · 2^" + exp);
        }
    }

    @Test
    void theEdgesOfTheDoubles() {
        BigInteger one = BigInteger.ONE;
        // The smallest subnormal, half of it (a tie, to even: 0), a little more than half, 2^1024 (overflow).
        assertEquals(Double.MIN_VALUE, Rounding.divide(one, one, -1074));
        assertEquals(0.0, Rounding.divide(one, one, -1075));
        assertEquals(Double.MIN_VALUE, Rounding.divide(BigInteger.valueOf(3), one, -1076));
        assertEquals(-0.0, Rounding.divide(one.negate(), BigInteger.valueOf(3), -1074));
        assertEquals(Double.POSITIVE_INFINITY, Rounding.divide(one, one, 1024));
        assertEquals(Double.MAX_VALUE,
                Rounding.divide(BigInteger.ONE.shiftLeft(53).subtract(one), one, 1024 - 53));
        // Just under 2^1024 by less than half an ulp rounds up to 2^1024: overflow, as Python's OverflowError.
        assertEquals(Double.POSITIVE_INFINITY,
                Rounding.divide(BigInteger.ONE.shiftLeft(60).subtract(one), one, 1024 - 60));
        assertEquals(0.1, Rounding.divide(0, 0, 0, 1, false, 10, 0));
    }

    private static long limb(BigInteger n, int i) {
        return n.shiftRight(64 * i).and(MASK).longValue();
    }
}
