package io.fraudscore.features.sketch;

import io.fraudscore.features.aggregate.AggregateFunction;
import io.fraudscore.features.aggregate.Summary;
import io.fraudscore.features.state.Persistent;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * {@code distinct(x) ... approx}: a HyperLogLog sketch of 2**9 registers (dsl/sketch.py), the same
 * registers and the same estimates as Python's. A window's sketch also keeps z = sum(2**-register)
 * exactly, in units of 2**-64 (up to 2**73, so in two longs), and its zero registers, so an estimate
 * needs no pass over the registers; a merge leaves them to be recounted when next asked.
 */
public final class Sketch implements Summary, Persistent {
    public static final int PRECISION = 9;
    public static final int REGISTERS = 1 << PRECISION;
    /** The relative standard error of an estimate, 1.04 / sqrt(512). */
    public static final double STANDARD_ERROR = 1.04 / Math.sqrt(REGISTERS);
    private static final double ALPHA = 0.7213 / (1 + 1.079 / REGISTERS);
    private static final double TWO_TO_MINUS_64 = 0x1p-64;
    /** Linear counting's round(512 * log(512 / zeros)) for each number of zero registers, 1 to 512. */
    private static final long[] LINEAR = new long[REGISTERS + 1];

    static {
        for (int zeros = 1; zeros <= REGISTERS; zeros++) {
            LINEAR[zeros] = (long) Math.rint(REGISTERS * StrictMath.log((double) REGISTERS / zeros));
        }
    }

    private final byte[] registers = new byte[REGISTERS];
    private long zHigh = REGISTERS; // z = zHigh * 2**64 + zLow (unsigned): every register 0, 2**-0 each
    private long zLow;
    private int zeros = REGISTERS;
    private boolean counted = true; // z and zeros are of the registers (a merge leaves them stale)

    /**
     * Python's {@code register_and_rank(x)}, packed: the register in {@code packed >>> 8}, the rank it
     * brings there (1 + the leading zeros of the hash's other 55 bits) in {@code packed & 0xFF}.
     */
    public static int registerAndRank(Object x) {
        long h = ValueHasher.hash(x);
        int register = (int) (h & (REGISTERS - 1));
        int rank = Long.numberOfLeadingZeros(h >>> PRECISION) - PRECISION + 1;
        return register << 8 | rank;
    }

    public void add(Object x) {
        int packed = registerAndRank(x);
        raiseRegister(packed >>> 8, packed & 0xFF);
    }

    public void raiseRegister(int register, int rank) {
        int old = registers[register];
        if (rank > old) {
            registers[register] = (byte) rank;
            if (counted) {
                addPower(64 - rank, 1);
                addPower(64 - old, -1);
                if (old == 0) {
                    zeros--;
                }
            }
        }
    }

    /** Register by register, the larger: the sketch of both sets of values. */
    public void merge(Sketch other) {
        boolean any = false;
        for (int i = 0; i < REGISTERS; i++) {
            if (other.registers[i] > registers[i]) {
                registers[i] = other.registers[i];
                any = true;
            } else if (other.registers[i] != 0) {
                any = true;
            }
        }
        if (any) {
            counted = false; // recounted when next asked, once for a whole run of merges
        }
    }

    /** The estimated number of distinct values, with {@code current} when {@code include}: a Long. */
    @Override
    public Object result(AggregateFunction function, Object current, boolean include) {
        if (!counted) {
            recount();
        }
        long high = zHigh;
        long low = zLow;
        int zeroCount = zeros;
        if (include && current != null) {
            int packed = registerAndRank(current);
            int rank = packed & 0xFF;
            int old = registers[packed >>> 8];
            if (rank > old) {
                // z + 2**(64-rank) - 2**(64-old), on a copy of the two words
                long add = 1L << (64 - rank);
                long sum = low + add;
                high += Long.compareUnsigned(sum, low) < 0 ? 1 : 0;
                low = sum;
                if (old == 0) {
                    high -= 1;
                    zeroCount--;
                } else {
                    long sub = 1L << (64 - old);
                    high -= Long.compareUnsigned(low, sub) < 0 ? 1 : 0;
                    low -= sub;
                }
            }
        }
        return estimate(toDouble(high, low) * TWO_TO_MINUS_64, zeroCount);
    }

    /**
     * HyperLogLog's estimate for z = sum(2**-register), with linear counting for small counts. Python
     * takes the logarithm with the C library's {@code log}, here it is {@link StrictMath#log}: they may
     * differ in the last bit, but SketchGoldenTest checks that the rounded counts agree for each of the
     * 512 possible numbers of zero registers, so the estimates are Python's.
     */
    public static long estimate(double z, int zeros) {
        double raw = ALPHA * REGISTERS * REGISTERS / z;
        if (raw <= 2.5 * REGISTERS && zeros != 0) {
            return LINEAR[zeros];
        }
        return (long) Math.rint(raw); // Python's round(): half to even
    }

    /** {@code float(z)} for z = high * 2**64 + low (unsigned, high below 2**10): rounded once, half to even. */
    static double toDouble(long high, long low) {
        if (high == 0) {
            if (low >= 0) {
                return (double) low;
            }
            return (double) ((low >>> 1) | (low & 1)) * 2.0; // the sticky bit keeps the one rounding right
        }
        // 65 to 74 bits: keep the top 63, with a sticky last bit for any shifted out, and round once.
        int shift = 65 - Long.numberOfLeadingZeros(high);
        long kept = high << (64 - shift) | low >>> shift;
        if ((low & ((1L << shift) - 1)) != 0) {
            kept |= 1;
        }
        return Math.scalb((double) kept, shift);
    }

    private void addPower(int exponent, int sign) {
        if (exponent == 64) {
            zHigh += sign;
            return;
        }
        long power = 1L << exponent;
        if (sign > 0) {
            long sum = zLow + power;
            if (Long.compareUnsigned(sum, zLow) < 0) {
                zHigh++;
            }
            zLow = sum;
        } else {
            if (Long.compareUnsigned(zLow, power) < 0) {
                zHigh--;
            }
            zLow -= power;
        }
    }

    private void recount() {
        zHigh = 0;
        zLow = 0;
        zeros = 0;
        for (byte r : registers) {
            addPower(64 - r, 1);
            if (r == 0) {
                zeros++;
            }
        }
        counted = true;
    }

    /** Writes the registers: sparse (register, rank) pairs while fewer than a third are set. */
    @Override
    public void writeTo(DataOutput out) throws IOException {
        int set = 0;
        for (byte r : registers) {
            if (r != 0) {
                set++;
            }
        }
        if (3 * set < REGISTERS) {
            out.writeShort(set);
            for (int i = 0; i < REGISTERS; i++) {
                if (registers[i] != 0) {
                    out.writeShort(i);
                    out.writeByte(registers[i]);
                }
            }
        } else {
            out.writeShort(REGISTERS);
            out.write(registers);
        }
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        int set = in.readUnsignedShort();
        if (set == REGISTERS) {
            in.readFully(registers);
        } else {
            Arrays.fill(registers, (byte) 0);
            for (int i = 0; i < set; i++) {
                registers[in.readUnsignedShort()] = in.readByte();
            }
        }
        counted = false;
    }

    byte[] registers() {
        return registers;
    }
}
