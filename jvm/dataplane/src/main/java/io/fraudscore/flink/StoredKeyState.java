package io.fraudscore.flink;

import io.fraudscore.features.engine.KeyState;
import java.io.IOException;
import java.util.function.Function;

/**
 * One key's feature state as Flink keeps it: the engine's {@link KeyState}, live on the heap between events,
 * and the bytes of {@code KeyStateCodec} when Flink writes it out (a checkpoint, a copy for one) or has just
 * read it back (a restore: decoded at the key's next event, by its part's program). So an event costs no
 * encoding on the heap state backend; {@link StoredKeyStateSerializer} encodes.
 *
 * <p>The bytes are kept until the key's next event: a checkpoint writes every key, and a key no event touched
 * since the last one is written from them, not encoded again. Most keys of a large state are such keys (here
 * most card-and-merchant pairs between two checkpoints 2 s apart), so a checkpoint's encoding follows the keys
 * that changed rather than all of them, for the bytes' memory (about the state's encoded size: 5.4 MB after
 * 110,000 events of the bench). A checkpoint's thread and the task meet on this instance's lock.
 */
public final class StoredKeyState {
    private KeyState live;
    private byte[] encoded; // the live state's bytes as it stands, or the state itself until decoded
    /** When the key was last updated (processing time, ms): its block's ttl counts from here. */
    long touchedMs;

    private StoredKeyState(KeyState live, byte[] encoded, long touchedMs) {
        this.live = live;
        this.encoded = encoded;
        this.touchedMs = touchedMs;
    }

    static StoredKeyState fresh(KeyState state, long touchedMs) {
        return new StoredKeyState(state, null, touchedMs);
    }

    static StoredKeyState restored(byte[] encoded, long touchedMs) {
        return new StoredKeyState(null, encoded, touchedMs);
    }

    /** The live state, to update: decoded the first time after a restore; the bytes kept go, being stale. */
    synchronized KeyState state(Decoder decoder) throws IOException {
        if (live == null) {
            live = decoder.decode(encoded);
        }
        encoded = null;
        return live;
    }

    /** The state's bytes: what a checkpoint stores; encoded once per change. Never changed once made. */
    synchronized byte[] bytes(Function<KeyState, byte[]> encoder) {
        if (encoded == null) {
            encoded = encoder.apply(live);
        }
        return encoded;
    }

    /** How a part's program reads a key's state from its bytes. */
    @FunctionalInterface
    interface Decoder {
        KeyState decode(byte[] bytes) throws IOException;
    }
}
