package io.fraudscore.features.state;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A byte array read through {@link DataInput}, as {@link DataInputStream} reads it, with no lock per byte
 * (see {@link BytesOut}); running past the end is an {@link EOFException}, as there.
 */
public final class BytesIn extends InputStream implements DataInput {
    private final byte[] bytes;
    private int at;

    public BytesIn(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The bytes not read yet. */
    public int remaining() {
        return bytes.length - at;
    }

    @Override
    public int available() {
        return remaining();
    }

    private int next() throws EOFException {
        if (at >= bytes.length) {
            throw new EOFException("the state's bytes end at " + bytes.length);
        }
        return bytes[at++] & 0xff;
    }

    private void need(int count) throws EOFException {
        if (count > remaining()) {
            throw new EOFException(count + " bytes wanted at " + at + ", " + remaining() + " left");
        }
    }

    @Override
    public int read() {
        return at < bytes.length ? bytes[at++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (at >= bytes.length) {
            return -1;
        }
        int count = Math.min(len, remaining());
        System.arraycopy(bytes, at, b, off, count);
        at += count;
        return count;
    }

    @Override
    public void readFully(byte[] b) throws IOException {
        readFully(b, 0, b.length);
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        need(len);
        System.arraycopy(bytes, at, b, off, len);
        at += len;
    }

    @Override
    public int skipBytes(int n) {
        int count = Math.max(0, Math.min(n, remaining()));
        at += count;
        return count;
    }

    @Override
    public boolean readBoolean() throws IOException {
        return next() != 0;
    }

    @Override
    public byte readByte() throws IOException {
        return (byte) next();
    }

    @Override
    public int readUnsignedByte() throws IOException {
        return next();
    }

    @Override
    public short readShort() throws IOException {
        return (short) readUnsignedShort();
    }

    /** {@code count} bytes as one number, most significant first, as DataInputStream reads them. */
    private long readBigEndian(int count) throws EOFException {
        need(count);
        long v = 0;
        for (int i = 0; i < count; i++) {
            v = (v << 8) | (bytes[at++] & 0xff);
        }
        return v;
    }

    @Override
    public int readUnsignedShort() throws IOException {
        return (int) readBigEndian(2);
    }

    @Override
    public char readChar() throws IOException {
        return (char) readUnsignedShort();
    }

    @Override
    public int readInt() throws IOException {
        return (int) readBigEndian(4);
    }

    @Override
    public long readLong() throws IOException {
        return readBigEndian(8);
    }

    @Override
    public float readFloat() throws IOException {
        return Float.intBitsToFloat(readInt());
    }

    @Override
    public double readDouble() throws IOException {
        return Double.longBitsToDouble(readLong());
    }

    /** As {@link DataInput#readLine} says: bytes as chars up to \n, \r or \r\n; null at the end. */
    @Override
    public String readLine() {
        if (at >= bytes.length) {
            return null;
        }
        StringBuilder line = new StringBuilder();
        while (at < bytes.length) {
            int c = bytes[at++] & 0xff;
            if (c == '\n') {
                break;
            }
            if (c == '\r') {
                if (at < bytes.length && bytes[at] == '\n') {
                    at++;
                }
                break;
            }
            line.append((char) c);
        }
        return line.toString();
    }

    @Override
    public String readUTF() throws IOException {
        return DataInputStream.readUTF(this);
    }
}
