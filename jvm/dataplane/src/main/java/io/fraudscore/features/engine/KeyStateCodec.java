package io.fraudscore.features.engine;

import io.fraudscore.features.state.BytesIn;
import io.fraudscore.features.state.BytesOut;
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
        BytesOut out = new BytesOut(256);
        out.writeByte(FORMAT);
        try {
            state.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    /** The state of a key of {@code program}'s block, from bytes {@link #encode} wrote for the same block. */
    public static KeyState decode(BlockProgram program, byte[] bytes) throws IOException {
        BytesIn in = new BytesIn(bytes);
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new IOException("key state of format " + format + "; this engine reads format " + FORMAT
                    + " (written by a newer engine?)");
        }
        KeyState state = program.newState();
        state.readFrom(in);
        if (in.remaining() > 0) {
            throw new IOException(in.remaining() + " bytes left over: the state belongs to another block");
        }
        return state;
    }
}
