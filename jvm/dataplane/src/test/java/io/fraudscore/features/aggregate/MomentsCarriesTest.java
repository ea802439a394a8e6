package io.fraudscore.features.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudscore.features.state.ValueCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The long arithmetic's carries and borrows, which random windows almost never reach (a carry out of a
 * limb needs it within n of 2^64): states made limb by limb (all ones, zeros, 2^63), read in through
 * readFrom, then an add, a remove and every result, against the BigInteger-only reference.
 */
class MomentsCarriesTest {
    private static final long[] LIMBS = {0, 1, 2, -1, -2, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 32, -(1L << 32), 0xFFFFFFFFL};

    @Test
    void carriesAndBorrowsAnswerAsBigIntegerDoes() throws IOException {
        Random r = new Random(23);
        int tried = 0;
        for (int i = 0; i < 100_000; i++) {
            Object x = r.nextBoolean() ? Math.round(r.nextDouble() * 1e7) / 100.0
                    : r.nextLong() >> r.nextInt(64);
            int k = Math.max(NaiveAggregates.places(x), r.nextInt(70));
            BigInteger u = units(x, k);
            long n = r.nextInt(3) == 0 ? 1 + r.nextInt(5) : 1 + (r.nextLong() >>> (41 + r.nextInt(23)));
            BigInteger magnitude = switch (r.nextInt(3)) {
                // the low bits keep their extreme limbs; s² / n stays below 2^189, in the longs' range
                case 0 -> limbs(r, 2).and(BigInteger.ONE.shiftLeft(r.nextInt(95 + (63 - Long.numberOfLeadingZeros(n)) / 2))
                        .subtract(BigInteger.ONE));
                // s² just by a multiple of 2^64, 2^128 or 2^192: its partial products carry
                case 1 -> nearEdge(r).sqrt().add(BigInteger.valueOf(r.nextInt(5) - 2)).abs();
                default -> BigInteger.valueOf(r.nextInt(1000));
            };
            BigInteger s = r.nextBoolean() ? magnitude.negate() : magnitude;
            BigInteger nn = BigInteger.valueOf(n);
            BigInteger low = s.multiply(s).add(nn.subtract(BigInteger.ONE)).divide(nn); // the least q: spread >= 0
            // n·q - s² small (n·q and s² agree in their top limbs), or n·q or q itself by a limb edge.
            BigInteger q = switch (r.nextInt(5)) {
                case 0 -> low.add(BigInteger.valueOf(r.nextInt(3)));
                case 1 -> low.add(limbs(r, 1).shiftRight(r.nextInt(64)));
                case 2 -> low.max(nearEdge(r).add(nn.subtract(BigInteger.ONE)).divide(nn));
                case 3 -> low.max(nearEdge(r));
                default -> low.max(u.multiply(u)).add(limbs(r, 3).shiftRight(r.nextInt(190) + 3));
            };
            if (q.bitLength() > 189) {
                continue;
            }
            tried++;
            Moments narrow = state(n, k, s, q, false);
            Moments wide = state(n, k, s, q, true);
            String where = "n " + n + ", k " + k + ", s " + s + ", q " + q;
            compare(narrow, wide, x, where);
            boolean adding = r.nextBoolean();
            if (adding) {
                narrow.add(0, x);
                wide.add(0, x);
            } else {
                narrow.remove(0, x);
                wide.remove(0, x);
            }
            assertArrayEquals(AggregatorContractTest.bytes(wide), AggregatorContractTest.bytes(narrow),
                    () -> (adding ? "add " : "remove ") + x + " to " + where);
        }
        assertTrue(tried > 50_000, tried + " states tried");
    }

    private static void compare(Moments narrow, Moments wide, Object current, String where) {
        for (AggregateFunction function : new AggregateFunction[] {AggregateFunction.SUM, AggregateFunction.AVG,
            AggregateFunction.VAR, AggregateFunction.STDDEV, AggregateFunction.ZSCORE}) {
            AggregatorContractTest.assertSame(wide.result(function, current, false),
                    narrow.result(function, current, false), () -> function + " of " + where);
        }
    }

    /** A non-negative integer of {@code count} limbs, each all ones, zero, 2^63 and such, or random. */
    private static BigInteger limbs(Random r, int count) {
        BigInteger v = BigInteger.ZERO;
        for (int i = 0; i < count; i++) {
            long limb = r.nextInt(3) == 0 ? r.nextLong() : LIMBS[r.nextInt(LIMBS.length)];
            v = v.shiftLeft(64).or(new BigInteger(Long.toUnsignedString(limb)));
        }
        return v;
    }

    /** j · 2^64, 2^128 or 2^192, give or take a little. */
    private static BigInteger nearEdge(Random r) {
        BigInteger edge = BigInteger.valueOf(1 + r.nextInt(1 << 20)).shiftLeft(64 * (1 + r.nextInt(3)) - r.nextInt(2) * 20);
        return edge.add(BigInteger.valueOf(r.nextInt(9) - 4)).max(BigInteger.ZERO);
    }

    private static BigInteger units(Object x, int k) {
        BigDecimal exact = x instanceof Long l ? BigDecimal.valueOf(l) : new BigDecimal((Double) x);
        return exact.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(k))).toBigIntegerExact();
    }

    private static Moments state(long n, int k, BigInteger s, BigInteger q, boolean wideOnly) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buffer);
        ValueCodec.writeLong(out, n);
        ValueCodec.writeCount(out, k);
        ValueCodec.writeInteger(out, s);
        ValueCodec.writeInteger(out, q);
        Moments m = new Moments(true, true, wideOnly);
        m.readFrom(new DataInputStream(new ByteArrayInputStream(buffer.toByteArray())));
        return m;
    }
}
