package io.fraudscore.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudscore.features.engine.EventReader;
import io.fraudscore.features.engine.KeyState;
import io.fraudscore.features.engine.KeyStateCodec;
import io.fraudscore.features.plan.PlanReader;
import io.fraudscore.live.LiveFeatureSet;
import io.fraudscore.live.LivePart;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The copy-on-write contract of the heap backend, on DSL.md's `card` block: a checkpoint writes each key's state
 * as it was when the checkpoint began, however the task's copy moves on; the copy takes the live state over
 * (no decoding); and a key is encoded once per change.
 */
class StoredKeyStateTest {
    private static final long T0 = 1_795_320_000_000L;
    private static final StoredKeyStateSerializer SERIALIZER = StoredKeyStateSerializer.INSTANCE;

    private static final LiveFeatureSet EXAMPLE = example();

    private static LiveFeatureSet example() {
        try (InputStream in = StoredKeyStateTest.class.getResourceAsStream("/plans/dsl_md_example.plan.json")) {
            return new LiveFeatureSet(PlanReader.read(new String(in.readAllBytes(), StandardCharsets.UTF_8)),
                    Map.of(), T0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static LivePart card() {
        return EXAMPLE.parts().stream().filter(part -> part.name().equals("card")).findFirst().orElseThrow();
    }

    private static Object[] payment(LivePart card, int n) throws IOException {
        return new EventReader(EXAMPLE.fields()).read("{\"ts\": " + (T0 + 60_000L * n) + ", \"card_id\": \"k1\","
                + " \"amount\": " + (10 + n % 17) + ".5, \"status\": \"" + (n % 5 == 0 ? "declined" : "approved")
                + "\", \"country\": \"" + (n % 3 == 0 ? "DE" : "FR") + "\", \"merchant_id\": \"m" + n % 4 + "\"}");
    }

    private static byte[] written(StoredKeyState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        SERIALIZER.serialize(state, out);
        return out.getCopyOfBuffer();
    }

    private static StoredKeyState withPayments(LivePart card, int payments) throws IOException {
        StoredKeyState stored = StoredKeyState.fresh(card.newState(), T0);
        for (int n = 0; n < payments; n++) {
            card.evaluate(payment(card, n), stored.state(card::decode));
        }
        return stored;
    }

    @Test
    void aCopyIsTheStateAsItWasAndTheOriginalKeepsIt() throws Exception {
        LivePart card = card();
        StoredKeyState original = withPayments(card, 5);
        byte[] before = written(original);

        StoredKeyState copy = SERIALIZER.copy(original);
        card.evaluate(payment(card, 5), copy.state(card::decode));
        copy.touchedMs = T0 + 1;

        assertArrayEquals(before, written(original), "the checkpoint writes the state as it was at the copy");
        byte[] after = written(copy);
        assertEquals(T0 + 1, SERIALIZER.deserialize(new DataInputDeserializer(after)).touchedMs);
        assertArrayEquals(written(withPayments(card, 6)), written(StoredKeyState.restored(
                KeyStateCodec.encode(copy.state(card::decode)), T0, 0, false)), "the copy carries on where the state was");
    }

    @Test
    void aCopyTakesTheLiveStateOverWithoutDecodingIt() throws Exception {
        LivePart card = card();
        StoredKeyState original = withPayments(card, 5);
        KeyState live = original.state(card::decode);
        StoredKeyState copy = SERIALIZER.copy(original);
        StoredKeyState.Decoder refusing = bytes -> {
            throw new AssertionError("the task decoded its copy");
        };
        assertSame(live, copy.state(refusing), "the copy goes on with the very state");
        assertThrows(AssertionError.class, () -> original.state(refusing), "the original has only the bytes left");
    }

    @Test
    void aKeyIsEncodedOnceForEveryChangeHoweverManyTimesItIsWritten() throws Exception {
        LivePart card = card();
        AtomicInteger encodings = new AtomicInteger();
        Function<KeyState, byte[]> counting = state -> {
            encodings.incrementAndGet();
            return KeyStateCodec.encode(state);
        };
        StoredKeyState stored = withPayments(card, 3);
        byte[] first = stored.bytes(counting);
        written(stored); // a checkpoint's serializer
        assertSame(first, stored.bytes(counting), "an untouched key is written from the bytes it has");
        assertEquals(1, encodings.get());

        card.evaluate(payment(card, 3), stored.state(card::decode));
        byte[] second = stored.bytes(counting);
        assertEquals(2, encodings.get(), "an event's change is encoded anew");
        assertArrayEquals(KeyStateCodec.encode(withPayments(card, 4).state(card::decode)), second);
        assertArrayEquals(KeyStateCodec.encode(withPayments(card, 3).state(card::decode)), first,
                "bytes once made do not change: a running checkpoint may still be writing them");
    }

    @Test
    void aRestoredStateCopiedSharesItsBytesAndEachSideDecodesItsOwn() throws Exception {
        LivePart card = card();
        byte[] bytes = written(withPayments(card, 7));
        StoredKeyState restored = SERIALIZER.deserialize(new DataInputDeserializer(bytes));
        StoredKeyState copy = SERIALIZER.copy(restored);
        card.evaluate(payment(card, 7), copy.state(card::decode));

        assertArrayEquals(bytes, written(restored));
        assertArrayEquals(written(withPayments(card, 8)), written(copy));
        assertArrayEquals(bytes, written(SERIALIZER.copy(SERIALIZER.copy(restored))));
    }

    /** A checkpoint's thread writes every key while the task copies each and moves it on: never a torn state. */
    @Test
    void aCheckpointWritingWhileTheTaskCopiesWritesEveryStateAsItWas() throws Exception {
        LivePart card = card();
        List<StoredKeyState> originals = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        for (int key = 0; key < 400; key++) {
            StoredKeyState stored = withPayments(card, 1 + key % 9);
            originals.add(stored);
            expected.add(KeyStateCodec.encode(stored.state(card::decode)));
            if (key % 2 == 0) {
                stored.bytes(KeyStateCodec::encode); // half as a checkpoint before left them, with their bytes
            }
        }
        ExecutorService checkpoint = Executors.newSingleThreadExecutor();
        try {
            Future<List<byte[]>> writing = checkpoint.submit(() -> {
                List<byte[]> all = new ArrayList<>();
                for (StoredKeyState stored : originals) {
                    all.add(stored.bytes(KeyStateCodec::encode));
                }
                return all;
            });
            for (int key = originals.size() - 1; key >= 0; key--) { // from the other end: they meet midway
                StoredKeyState copy = SERIALIZER.copy(originals.get(key));
                card.evaluate(payment(card, 20 + key), copy.state(card::decode));
            }
            List<byte[]> all = writing.get();
            for (int key = 0; key < originals.size(); key++) {
                assertArrayEquals(expected.get(key), all.get(key), "key " + key);
            }
        } finally {
            checkpoint.shutdownNow();
        }
    }

    @Test
    void theCountOfEventsAppliedAndWhetherChangesFollowAreWrittenAndACopyCarriesThem() throws Exception {
        StoredKeyState stored = withPayments(card(), 3);
        stored.seq = 41;
        stored.changesFollow = true;
        for (StoredKeyState read : List.of(SERIALIZER.deserialize(new DataInputDeserializer(written(stored))),
                SERIALIZER.copy(stored))) {
            assertEquals(41, read.seq);
            assertTrue(read.changesFollow);
        }
    }

    /**
     * A checkpoint from before the count of events applied: its serializer snapshot (SimpleTypeSerializerSnapshot's
     * version 3, or 2 with the class name) restores its states through the old layout, with a count of 0, and
     * Flink is told to write them anew in the current one.
     */
    @Test
    void aStateWrittenBeforeTheCountOfEventsRestores() throws Exception {
        LivePart card = card();
        byte[] state = KeyStateCodec.encode(withPayments(card, 5).state(card::decode));
        DataOutputSerializer old = new DataOutputSerializer(256);
        old.writeLong(T0 + 9);
        old.writeInt(state.length);
        old.write(state);

        for (int version : new int[] {2, 3}) {
            DataOutputSerializer config = new DataOutputSerializer(64);
            if (version == 2) {
                config.writeUTF(StoredKeyStateSerializer.class.getName());
            }
            StoredKeyStateSerializer.Snapshot before = new StoredKeyStateSerializer.Snapshot();
            before.readSnapshot(version, new DataInputDeserializer(config.getCopyOfBuffer()), getClass().getClassLoader());

            StoredKeyState restored = before.restoreSerializer().deserialize(new DataInputDeserializer(old.getCopyOfBuffer()));
            assertEquals(T0 + 9, restored.touchedMs);
            assertEquals(0, restored.seq);
            assertFalse(restored.changesFollow);
            assertArrayEquals(state, restored.bytes(KeyStateCodec::encode));
            assertTrue(SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(before).isCompatibleAfterMigration());
        }
        assertTrue(SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(SERIALIZER.snapshotConfiguration())
                .isCompatibleAsIs());
        StoredKeyStateSerializer.Snapshot unknown = new StoredKeyStateSerializer.Snapshot();
        IOException e = assertThrows(IOException.class,
                () -> unknown.readSnapshot(9, new DataInputDeserializer(new byte[0]), getClass().getClassLoader()));
        assertEquals("a feature state serializer of version 9; this one reads 2 to 4", e.getMessage());
    }
}
