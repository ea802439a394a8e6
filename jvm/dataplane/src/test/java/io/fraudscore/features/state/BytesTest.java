package io.fraudscore.features.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** BytesOut writes, and BytesIn reads, what DataOutputStream and DataInputStream do, on generated values. */
class BytesTest {
    private static final int KINDS = 15;

    /** One generated write: its kind and value, done the same way on any DataOutput. */
    private record Op(int kind, long number, String text, byte[] bytes) {
        void write(DataOutput out) throws IOException {
            switch (kind) {
                case 0 -> out.write((int) number);
                case 1 -> out.write(bytes);
                case 2 -> out.write(bytes, 1, bytes.length - 1);
                case 3 -> out.writeBoolean(number % 2 == 0);
                case 4 -> out.writeByte((int) number);
                case 5 -> out.writeShort((int) number);
                case 6 -> out.writeChar((int) number);
                case 7 -> out.writeInt((int) number);
                case 8 -> out.writeLong(number);
                case 9 -> out.writeFloat(Float.intBitsToFloat((int) number));
                case 10 -> out.writeDouble(Double.longBitsToDouble(number));
                case 11 -> out.writeBytes(text);
                case 12 -> out.writeChars(text);
                case 13 -> out.writeUTF(text);
                default -> ValueCodec.write(out, number % 3 == 0 ? text : number % 3 == 1 ? number : (Object) (number / 7.0));
            }
        }

        /** What reading it back gives, as a comparable list. */
        Object read(DataInput in) throws IOException {
            return switch (kind) {
                case 0 -> in.readUnsignedByte();
                case 1, 2 -> {
                    byte[] back = new byte[kind == 1 ? bytes.length : bytes.length - 1];
                    in.readFully(back);
                    yield List.of(java.util.Arrays.toString(back));
                }
                case 3 -> in.readBoolean();
                case 4 -> in.readByte();
                case 5 -> List.of(in.readShort());
                case 6 -> in.readChar();
                case 7 -> in.readInt();
                case 8 -> in.readLong();
                case 9 -> Float.floatToRawIntBits(in.readFloat());
                case 10 -> Double.doubleToRawLongBits(in.readDouble());
                case 11 -> {
                    byte[] back = new byte[text.length()];
                    in.readFully(back);
                    yield List.of(java.util.Arrays.toString(back));
                }
                case 12 -> {
                    StringBuilder chars = new StringBuilder();
                    for (int i = 0; i < text.length(); i++) {
                        chars.append(in.readChar());
                    }
                    yield chars.toString();
                }
                case 13 -> in.readUTF();
                default -> String.valueOf(ValueCodec.read(in));
            };
        }
    }

    private static List<Op> generated(Random random, int count) {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long number = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(256) - 128;
                case 1 -> random.nextLong();
                case 2 -> random.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
                default -> random.nextInt();
            };
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(12); n > 0; n--) {
                text.append((char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0x10000)));
            }
            byte[] bytes = new byte[1 + random.nextInt(40)];
            random.nextBytes(bytes);
            ops.add(new Op(random.nextInt(KINDS), number, text.toString(), bytes));
        }
        return ops;
    }

    @Test
    void writesWhatDataOutputStreamWrites() throws IOException {
        Random random = new Random(20261203);
        for (int round = 0; round < 200; round++) {
            List<Op> ops = generated(random, 1 + random.nextInt(60));
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            DataOutputStream reference = new DataOutputStream(expected);
            BytesOut out = new BytesOut(random.nextInt(40)); // small: the buffer grows many times
            for (Op op : ops) {
                op.write(reference);
                op.write(out);
            }
            assertArrayEquals(expected.toByteArray(), out.toByteArray());
            assertEquals(expected.size(), out.size());
        }
    }

    @Test
    void readsWhatDataInputStreamReads() throws IOException {
        Random random = new Random(3);
        for (int round = 0; round < 200; round++) {
            List<Op> ops = generated(random, 1 + random.nextInt(60));
            BytesOut out = new BytesOut(64);
            for (Op op : ops) {
                op.write(out);
            }
            byte[] bytes = out.toByteArray();
            DataInputStream reference = new DataInputStream(new ByteArrayInputStream(bytes));
            BytesIn in = new BytesIn(bytes);
            for (Op op : ops) {
                assertEquals(op.read(reference), op.read(in));
                assertEquals(reference.available(), in.remaining());
            }
            assertEquals(-1, in.read());
        }
    }

    @Test
    void runningPastTheEndIsAnEofAsInDataInputStream() throws IOException {
        byte[] three = {1, 2, 3};
        assertThrows(EOFException.class, () -> new BytesIn(three).readInt());
        assertThrows(EOFException.class, () -> new BytesIn(three).readLong());
        assertThrows(EOFException.class, () -> new BytesIn(three).readFully(new byte[4]));
        BytesIn in = new BytesIn(three);
        in.readUnsignedShort();
        assertEquals(3, in.readUnsignedByte());
        assertThrows(EOFException.class, in::readUnsignedByte);
        assertEquals(0, in.skipBytes(5));
        assertEquals(-1, in.read(new byte[2], 0, 2));
    }

    @Test
    void readsLinesAsDataInputSays() {
        BytesIn in = new BytesIn("one\ntwo\r\nthree\rfour".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertEquals("one", in.readLine());
        assertEquals("two", in.readLine());
        assertEquals("three", in.readLine());
        assertEquals("four", in.readLine());
        assertNull(in.readLine());
    }

    @Test
    void refusesAStringTooLongForWriteUtfAsDataOutputStreamDoes() {
        assertThrows(UTFDataFormatException.class, () -> new BytesOut(16).writeUTF("\u20AC".repeat(30_000)));
    }
}
