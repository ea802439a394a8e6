package io.fraudscore.features.engine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One key's state as bytes, behind a format byte: how it is stored (Flink keyed state, a savepoint) and
 * measured. The plan gives the state's shape, the bytes only what was learnt; a change of the state classes'
 * layout takes the next format number and keeps a reader for the ones before, so old savepoints restore.
 */
public final class KeyStateCodec {
    /** The layout {@link KeyState#writeTo} writes today. */
    public static final int FORMAT = 1;

    private KeyStateCodec() {}

    public static byte[] encode(KeyState state) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(FORMAT);
            state.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return buffer.toByteArray();
    }

    /** The state of a key of {@code program}'s block, from bytes {@link #encode} wrote for the same block. */
    public static KeyState decode(BlockProgram program, byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IOException("key state of format " + format + "; this engine reads format " + FORMAT
                        + " (written by a newer engine?)");
            }
            KeyState state = program.newState();
            state.readFrom(in);
            if (in.available() > 0) {
                throw new IOException(in.available() + " bytes left over: the state belongs to another block");
            }
            return state;
        }
    }
}
