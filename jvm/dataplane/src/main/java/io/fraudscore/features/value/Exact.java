package io.fraudscore.features.value;

import java.math.BigInteger;

/** Division of exact integers rounded once to the nearest double, ties to even: Python's int / int. */
public final class Exact {
    private Exact() {}

    private static final long EXACT_AS_DOUBLE = 1L << 53; // every long of at most this magnitude is a double

    /** {@code a / b} of two integers ({@code b} not 0), rounded once as Python's int true division. */
    public static double divide(long a, long b) {
        if (-EXACT_AS_DOUBLE <= a && a <= EXACT_AS_DOUBLE && -EXACT_AS_DOUBLE <= b && b <= EXACT_AS_DOUBLE) {
            return (double) a / (double) b; // both exact as doubles: IEEE division rounds once
        }
        return divide(BigInteger.valueOf(a), BigInteger.valueOf(b));
    }

    /**
     * {@code numerator / denominator} correctly rounded, subnormal results included; an infinity where the
     * quotient leaves the double range (Python raises OverflowError there: callers make it null).
     */
    public static double divide(BigInteger numerator, BigInteger denominator) {
        if (denominator.signum() == 0) {
            throw new ArithmeticException("division by zero");
        }
        boolean negative = numerator.signum() * denominator.signum() < 0
                || (numerator.signum() == 0 && denominator.signum() < 0);
        BigInteger a = numerator.abs();
        BigInteger b = denominator.abs();
        // Enough quotient bits for 53 and two more to round by, never finer than 2^-1076 (below the subnormals).
        int shift = Math.min(55 - (a.bitLength() - b.bitLength()), 1076);
        BigInteger[] qr = shift >= 0
                ? a.shiftLeft(shift).divideAndRemainder(b)
                : a.divideAndRemainder(b.shiftLeft(-shift));
        double magnitude = roundToDouble(qr[0], qr[1].signum() != 0, shift);
        return negative ? -magnitude : magnitude;
    }

    /** q · 2^-shift, plus a little more when {@code sticky}, to the nearest double. */
    private static double roundToDouble(BigInteger q, boolean sticky, int shift) {
        int exponent = q.signum() == 0 ? Integer.MIN_VALUE / 2 : q.bitLength() - 1 - shift;
        int lastPlace = Math.max(exponent - 52, -1074);
        int below = lastPlace + shift; // bits of q under the result's last place: at least 2
        long mantissa = q.shiftRight(below).longValue();
        BigInteger rest = q.subtract(BigInteger.valueOf(mantissa).shiftLeft(below));
        int half = rest.compareTo(BigInteger.ONE.shiftLeft(below - 1));
        if (half > 0 || (half == 0 && (sticky || (mantissa & 1) == 1))) {
            mantissa++;
        }
        return Math.scalb((double) mantissa, lastPlace);
    }
}
