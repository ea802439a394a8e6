package io.fraudscore.features.state;

import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * A growing byte array written through {@link DataOutput}, in the bytes {@link DataOutputStream} writes. Key
 * state is written a byte or a varint at a time, and a checkpoint writes every key's: through a
 * {@code DataOutputStream} on a {@code ByteArrayOutputStream} each byte was a call to a synchronized method,
 * and those calls were 40% of a checkpoint's time.
 */
public final class BytesOut extends OutputStream implements DataOutput {
    private byte[] bytes;
    private int size;

    public BytesOut(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    public int size() {
        return size;
    }

    /** The bytes written so far, in an array of their own. */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void room(int more) {
        int needed = size + more;
        if (needed > bytes.length) {
            if (needed < 0) {
                throw new OutOfMemoryError("more than 2 GB of state bytes");
            }
            bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
        }
    }

    @Override
    public void write(int b) {
        room(1);
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        room(len);
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    @Override
    public void writeBoolean(boolean v) {
        write(v ? 1 : 0);
    }

    @Override
    public void writeByte(int v) {
        write(v);
    }

    /** The low {@code count} bytes of {@code v}, most significant first, as DataOutputStream orders them. */
    private void writeBigEndian(long v, int count) {
        room(count);
        for (int shift = 8 * (count - 1); shift >= 0; shift -= 8) {
            bytes[size++] = (byte) (v >>> shift);
        }
    }

    @Override
    public void writeShort(int v) {
        writeBigEndian(v, 2);
    }

    @Override
    public void writeChar(int v) {
        writeShort(v);
    }

    @Override
    public void writeInt(int v) {
        writeBigEndian(v, 4);
    }

    @Override
    public void writeLong(long v) {
        writeBigEndian(v, 8);
    }

    @Override
    public void writeFloat(float v) {
        writeInt(Float.floatToIntBits(v));
    }

    @Override
    public void writeDouble(double v) {
        writeLong(Double.doubleToLongBits(v));
    }

    @Override
    public void writeBytes(String s) {
        room(s.length());
        for (int i = 0; i < s.length(); i++) {
            bytes[size++] = (byte) s.charAt(i);
        }
    }

    @Override
    public void writeChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            writeBigEndian(s.charAt(i), 2);
        }
    }

    /** Modified UTF-8 behind its length, as {@link DataOutputStream#writeUTF} writes it (and refuses). */
    @Override
    public void writeUTF(String s) throws IOException {
        new DataOutputStream(this).writeUTF(s); // unbuffered: every byte lands here
    }
}
