package io.fraudscore.features.aggregate;

import java.math.BigInteger;

/**
 * Quotients of exact integers rounded once to the nearest double, ties to even, subnormals included: what
 * Python's {@code int / int} gives. An infinity stands where Python raises OverflowError.
 *
 * <p>Both forms take only as many quotient bits as the rounding needs: the top 62 or 63 bits of
 * {@code N / d}, and a sticky bit for whether anything is left over.
 */
final class Rounding {
    /** The widest divisor {@link #divide(long, long, long, long, boolean, long, int)} takes: below 2^47. */
    static final long MAX_DIVISOR = (1L << 47) - 1;

    private Rounding() {}

    /**
     * {@code ±N / d · 2^exp} for the unsigned 256-bit {@code N = n3·2^192 + n2·2^128 + n1·2^64 + n0} and
     * {@code 1 <= d <= MAX_DIVISOR}, by long division in 32-bit (or, for d of 32 bits or more, 16-bit)
     * digits of N's top 128 bits, so every step is one signed 64-bit division.
     */
    static double divide(long n3, long n2, long n1, long n0, boolean negative, long d, int exp) {
        // T = N's top 128 bits, its top bit set; N = (T + f) · 2^(length - 128), f in [0, 1), f > 0 iff sticky.
        long t1;
        long t0;
        boolean sticky;
        int length;
        if (n3 != 0) {
            int z = Long.numberOfLeadingZeros(n3);
            t1 = n3 << z | n2 >>> 1 >>> (63 - z);
            t0 = n2 << z | n1 >>> 1 >>> (63 - z);
            sticky = (n1 << z) != 0 || n0 != 0;
            length = 256 - z;
        } else if (n2 != 0) {
            int z = Long.numberOfLeadingZeros(n2);
            t1 = n2 << z | n1 >>> 1 >>> (63 - z);
            t0 = n1 << z | n0 >>> 1 >>> (63 - z);
            sticky = (n0 << z) != 0;
            length = 192 - z;
        } else if (n1 != 0) {
            int z = Long.numberOfLeadingZeros(n1);
            t1 = n1 << z | n0 >>> 1 >>> (63 - z);
            t0 = n0 << z;
            sticky = false;
            length = 128 - z;
        } else if (n0 != 0) {
            int z = Long.numberOfLeadingZeros(n0);
            t1 = n0 << z;
            t0 = 0;
            sticky = false;
            length = 64 - z;
        } else {
            return 0.0; // Python's 0 / d is 0.0, never -0.0
        }
        int e = exp + length - 128; // N / d · 2^exp = (T + f) / d · 2^e
        if (d == 1) {
            return round(t1 >>> 1, sticky || (t1 & 1) != 0 || t0 != 0, e + 65, negative);
        }
        int lengthD = 64 - Long.numberOfLeadingZeros(d);
        // W = T's top lengthD + 62 bits, so that floor(W / d) has 62 or 63 bits.
        int dropped = 128 - (lengthD + 62);
        long q;
        long rem;
        if (lengthD <= 31) { // the common case, two steps: the top lengthD + 30 bits, then 32 more
            int high = lengthD + 30;
            long w = t1 >>> (64 - high);
            long next = t1 << high | t0 >>> (64 - high); // T's bits after the first `high`, left-aligned
            q = w / d;
            rem = w - q * d;
            long cur = rem << 32 | next >>> 32; // < d · 2^32 < 2^63
            long qd = cur / d;
            rem = cur - qd * d;
            q = q << 32 | qd;
            sticky |= (next & 0xFFFFFFFFL) != 0 || t0 << high != 0;
        } else { // d of 32 to 47 bits: 16-bit digits after a first step of at most 62 bits
            int digits = (lengthD + 15) / 16;
            int first = lengthD + 62 - 16 * digits;
            q = bits(t1, t0, 128 - first, first);
            rem = q % d;
            q /= d;
            for (int j = digits - 1; j >= 0; j--) {
                long cur = rem << 16 | bits(t1, t0, dropped + 16 * j, 16); // < d · 2^16 < 2^63
                long qd = cur / d;
                rem = cur - qd * d;
                q = q << 16 | qd;
            }
            sticky |= bits(t1, t0, 0, dropped) != 0;
        }
        return round(q, sticky || rem != 0, e + dropped, negative);
    }

    /** {@code numerator / denominator · 2^exp} for any integers, {@code denominator > 0}. */
    static double divide(BigInteger numerator, BigInteger denominator, int exp) {
        int sign = numerator.signum();
        if (sign == 0) {
            return 0.0;
        }
        BigInteger a = numerator.abs();
        int shift = denominator.bitLength() + 62 - a.bitLength();
        boolean sticky = false;
        BigInteger w;
        if (shift >= 0) {
            w = a.shiftLeft(shift);
        } else {
            w = a.shiftRight(-shift);
            sticky = a.getLowestSetBit() < -shift;
        }
        BigInteger[] qr = w.divideAndRemainder(denominator);
        sticky |= qr[1].signum() != 0;
        return round(qr[0].longValueExact(), sticky, exp - shift, sign < 0);
    }

    /**
     * {@code ±(q + f) · 2^e} to the nearest double, where {@code 2^61 <= q < 2^63} and f, the part below q's
     * last bit, is 0 unless {@code sticky} (then strictly between 0 and 1).
     */
    static double round(long q, boolean sticky, int e, boolean negative) {
        int length = 64 - Long.numberOfLeadingZeros(q);
        int drop = Math.max(length - 53, -1074 - e); // bits under the last place: 53 bits, or 2^-1074
        long bits;
        if (drop >= 64) {
            bits = 0; // below 2^-1075: under half the smallest subnormal
        } else {
            long kept = q >>> drop;
            long rest = q & ((1L << drop) - 1);
            long half = 1L << (drop - 1);
            if (rest > half || rest == half && (sticky || (kept & 1) != 0)) {
                kept++;
            }
            int exponent = e + drop; // the result is kept · 2^exponent
            if (kept == 1L << 53) {
                kept >>>= 1;
                exponent++;
            }
            if (kept < 1L << 52) {
                bits = kept; // a subnormal: exponent is -1074
            } else {
                long biased = exponent + 52 + 1023L;
                bits = biased >= 2047 ? Double.doubleToRawLongBits(Double.POSITIVE_INFINITY)
                        : biased << 52 | (kept & ((1L << 52) - 1));
            }
        }
        return Double.longBitsToDouble(negative ? bits | Long.MIN_VALUE : bits);
    }

    /** Bits {@code [from, from + count)} of the 128-bit {@code t1:t0}, count at most 63. */
    private static long bits(long t1, long t0, int from, int count) {
        long word = from >= 64 ? t1 >>> (from - 64) : t0 >>> from | t1 << 1 << (63 - from);
        return word & ((1L << count) - 1);
    }
}
