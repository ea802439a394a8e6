package io.fraudscore.features.state;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;

/**
 * The bytes of one engine value (null, Long, Double, String, Boolean) behind a one-byte tag, and of the
 * integers state keeps (counts, sequence numbers, exact sums), compactly: small integers as varints, a
 * BigInteger as its length and two's-complement bytes. Strings round-trip exactly, lone surrogates too.
 */
public final class ValueCodec {
    private static final int NULL = 0;
    private static final int LONG = 1;
    private static final int DOUBLE = 2;
    private static final int STRING = 3; // UTF-8: every string without a lone surrogate
    private static final int CHARS = 4; // UTF-16 units, for a string UTF-8 cannot carry
    private static final int FALSE = 5;
    private static final int TRUE = 6;

    private ValueCodec() {}

    public static void write(DataOutput out, Object v) throws IOException {
        if (v == null) {
            out.writeByte(NULL);
        } else if (v instanceof Long l) {
            out.writeByte(LONG);
            writeLong(out, l);
        } else if (v instanceof Double d) {
            out.writeByte(DOUBLE);
            out.writeLong(Double.doubleToRawLongBits(d));
        } else if (v instanceof Boolean b) {
            out.writeByte(b ? TRUE : FALSE);
        } else if (v instanceof String s) {
            writeString(out, s);
        } else {
            throw new IllegalArgumentException("not an engine value: " + v.getClass().getName());
        }
    }

    public static Object read(DataInput in) throws IOException {
        int tag = in.readUnsignedByte();
        return switch (tag) {
            case NULL -> null;
            case LONG -> readLong(in);
            case DOUBLE -> Double.longBitsToDouble(in.readLong());
            case FALSE -> Boolean.FALSE;
            case TRUE -> Boolean.TRUE;
            case STRING -> {
                byte[] bytes = new byte[readCount(in)];
                in.readFully(bytes);
                yield new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            }
            case CHARS -> {
                char[] chars = new char[readCount(in)];
                for (int i = 0; i < chars.length; i++) {
                    chars[i] = in.readChar();
                }
                yield new String(chars);
            }
            default -> throw new IOException("bad value tag " + tag);
        };
    }

    /** Any long, zigzag varint: 1 byte for -64..63, at most 10. */
    public static void writeLong(DataOutput out, long v) throws IOException {
        writeUnsigned(out, (v << 1) ^ (v >> 63));
    }

    public static long readLong(DataInput in) throws IOException {
        long z = readUnsigned(in);
        return (z >>> 1) ^ -(z & 1);
    }

    /** A count or length (0 or more), varint. */
    public static void writeCount(DataOutput out, int count) throws IOException {
        if (count < 0) {
            throw new IllegalArgumentException("negative count " + count);
        }
        writeUnsigned(out, count);
    }

    public static int readCount(DataInput in) throws IOException {
        long v = readUnsigned(in);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IOException("bad count " + v);
        }
        return (int) v;
    }

    /** Any integer: its byte count, then {@link BigInteger#toByteArray()} (big-endian two's complement). */
    public static void writeInteger(DataOutput out, BigInteger v) throws IOException {
        byte[] bytes = v.toByteArray();
        writeCount(out, bytes.length);
        out.write(bytes);
    }

    public static BigInteger readInteger(DataInput in) throws IOException {
        byte[] bytes = new byte[readCount(in)];
        in.readFully(bytes);
        return bytes.length == 0 ? BigInteger.ZERO : new BigInteger(bytes);
    }

    private static void writeString(DataOutput out, String s) throws IOException {
        if (wellFormed(s)) {
            byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeByte(STRING);
            writeCount(out, bytes.length);
            out.write(bytes);
        } else {
            out.writeByte(CHARS);
            writeCount(out, s.length());
            out.writeChars(s);
        }
    }

    /** No lone surrogate: UTF-8 would turn one into '?'. */
    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static void writeUnsigned(DataOutput out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    private static long readUnsigned(DataInput in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("varint longer than 10 bytes");
    }
}
