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
 *
 * <p>While an asynchronous checkpoint of the heap backend runs, the task's first write to a key the checkpoint
 * holds makes a copy (copy-on-write) and goes on with the copy. {@link #handOver} makes that copy take the live
 * state over, and leaves this instance, which the checkpoint writes, with the state's bytes as they were. The
 * task then does not decode a new copy of the state: each copy used to be a whole new object graph that lived
 * on, a young GC's survivors (11.2 MB of new ones at each young GC at 2,000 events/s, against 5.8-6.7 MB since).
 */
public final class StoredKeyState {
    /** At most this many changes between two whole writes: what a restored key replays at its next event. */
    static final int MAX_CHANGES_LOGGED = 64;

    private KeyState live;
    private byte[] encoded; // the live state's bytes as it stands, or the state itself until decoded
    /** When the key was last updated (processing time, ms): its block's ttl counts from here. */
    long touchedMs;
    /** Events applied to the state since the key's first. */
    long seq;
    /** Written by a job that logs changes after it: only then does a restore look for them (on RocksDB, every
     * read of a key is a restore). */
    boolean changesFollow;
    // Since the state was last written whole: changes logged and their bytes; its size then. Not stored: a
    // restore counts them again as it replays the log.
    int changesLogged;
    long changeBytes;
    int wholeBytes;

    private StoredKeyState(KeyState live, byte[] encoded, long touchedMs, long seq, boolean changesFollow) {
        this.live = live;
        this.encoded = encoded;
        this.touchedMs = touchedMs;
        this.seq = seq;
        this.changesFollow = changesFollow;
    }

    static StoredKeyState fresh(KeyState state, long touchedMs) {
        return new StoredKeyState(state, null, touchedMs, 0, false);
    }

    static StoredKeyState restored(byte[] encoded, long touchedMs, long seq, boolean changesFollow) {
        return new StoredKeyState(null, encoded, touchedMs, seq, changesFollow);
    }

    /** Whether the state is still the bytes a restore gave (not decoded since). */
    synchronized boolean isRestored() {
        return live == null;
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
            wholeBytes = encoded.length;
        }
        return encoded;
    }

    /**
     * A copy to go on with: it takes the live state; this instance keeps only the state's bytes as it stands,
     * for whoever holds it (a running checkpoint). Bytes never change once made, so both share them.
     */
    synchronized StoredKeyState handOver(Function<KeyState, byte[]> encoder) {
        StoredKeyState copy;
        if (live == null) {
            copy = restored(encoded, touchedMs, seq, changesFollow);
        } else {
            if (encoded == null) {
                encoded = encoder.apply(live);
            }
            copy = new StoredKeyState(live, encoded, touchedMs, seq, changesFollow);
            live = null;
        }
        copy.changesLogged = changesLogged;
        copy.changeBytes = changeBytes;
        copy.wholeBytes = wholeBytes;
        return copy;
    }

    /**
     * Whether a change of {@code bytes} should go to the key's log rather than the whole state be written: while
     * the changes logged since the last whole write stay smaller than it, and few enough to replay at once.
     */
    boolean logs(int bytes) {
        return changesLogged < MAX_CHANGES_LOGGED && changeBytes + bytes < wholeBytes;
    }

    void logged(int bytes) {
        changesLogged++;
        changeBytes += bytes;
    }

    /** The whole state was just written: the log starts again. */
    void wroteWhole() {
        changesLogged = 0;
        changeBytes = 0;
    }

    /** How a part's program reads a key's state from its bytes. */
    @FunctionalInterface
    interface Decoder {
        KeyState decode(byte[] bytes) throws IOException;
    }
}
