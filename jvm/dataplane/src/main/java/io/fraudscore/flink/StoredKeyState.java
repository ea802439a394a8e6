package io.fraudscore.flink;

import io.fraudscore.features.engine.KeyState;
import io.fraudscore.live.LivePart;
import java.io.IOException;

/**
 * One key's feature state as Flink keeps it: the engine's {@link KeyState}, live on the heap between events,
 * and the bytes of {@code KeyStateCodec} only when Flink writes it out (a checkpoint, a copy for one) or has
 * just read it back (a restore: decoded at the key's next event, by its part's program). So an event costs
 * no encoding on the heap state backend; {@link StoredKeyStateSerializer} encodes.
 */
public final class StoredKeyState {
    private KeyState live;
    private byte[] encoded;
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

    /** The live state, decoded by the part's program the first time after a restore. */
    KeyState state(LivePart part) throws IOException {
        if (live == null) {
            live = part.decode(encoded);
            encoded = null;
        }
        return live;
    }

    /** The state's bytes: what a checkpoint stores. */
    byte[] bytes(java.util.function.Function<KeyState, byte[]> encoder) {
        return live != null ? encoder.apply(live) : encoded;
    }
}
