package io.fraudscore.features.stateful;

import java.math.BigInteger;

/**
 * The few places where Python's mixed int and float arithmetic differs from Java's, so the stateful
 * functions give the same floats: an int divided by an int is the correctly rounded quotient (Java would
 * round each operand to a double first), and an int meeting a float is rounded to the nearest double.
 */
final class PythonArithmetic {
    private static final long EXACT = 1L << 53; // every long of at most this magnitude is a double exactly

    private PythonArithmetic() {}

    /** {@code a / b} for two Python ints (b not 0): the exact quotient rounded once, half to even. */
    static double trueDivide(long a, long b) {
        if (-EXACT <= a && a <= EXACT && -EXACT <= b && b <= EXACT) {
            return (double) a / (double) b; // both exact: the one rounding is the division's
        }
        return trueDivide(BigInteger.valueOf(a), BigInteger.valueOf(b));
    }

    /** {@code a / b} for two Python ints of any size (b not 0), rounded once, half to even. */
    static double trueDivide(BigInteger a, BigInteger b) {
        boolean negative = (a.signum() < 0) != (b.signum() < 0);
        BigInteger num = a.abs();
        BigInteger den = b.abs();
        // Scale so the integer quotient has at least 55 bits: the 53 kept, the rounding bit, and below it a
        // sticky bit that says whether anything was left over, which is all round-half-even needs.
        int shift = Math.max(0, 55 + den.bitLength() - num.bitLength());
        BigInteger[] qr = num.shiftLeft(shift).divideAndRemainder(den);
        BigInteger q = qr[1].signum() == 0 ? qr[0] : qr[0].setBit(0);
        double magnitude = Math.scalb(q.doubleValue(), -shift);
        return negative ? -magnitude : magnitude;
    }

    /** A Long or Double as a float, the way Python converts an int for float arithmetic (nearest). */
    static double asDouble(Object x) {
        return x instanceof Long l ? (double) l.longValue() : ((Double) x).doubleValue();
    }

    /** NaN and infinities become null. */
    static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }

    /** A value the plan accepts for a stateful function: an integer or a finite float. */
    static Object checkNumber(Object x) {
        if (x instanceof Long || x instanceof Double) {
            return x;
        }
        throw new IllegalArgumentException("a stateful function takes a Long or a Double, not " + x);
    }
}
