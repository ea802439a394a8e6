package io.fraudscore.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.junit.jupiter.api.Test;

/** KeyStringSerializer against Flink's StringSerializer: the same bytes, each reads the other's, restores accept it. */
class KeyStringSerializerTest {
    private static final KeyStringSerializer KEYS = KeyStringSerializer.INSTANCE;

    /** Keys of every shape the encoding distinguishes: lengths around 127 and 16,383, chars of 1, 2 and 3 groups. */
    static List<String> strings() {
        List<String> all = new ArrayList<>(List.of("", "a", "card#0123456789ab|[\"c-1\"]", "é", "\u07ff", "\u0800",
                "\u3fff", "\u4000", "\uffff", "\ud83d\udcb3 card", "\u0000", "x".repeat(126), "x".repeat(127),
                "x".repeat(128), "y".repeat(16_382), "y".repeat(16_383), "\u4000".repeat(20_000)));
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder key = new StringBuilder();
            int length = random.nextInt(i % 10 == 0 ? 400 : 60);
            for (int j = 0; j < length; j++) {
                int kind = random.nextInt(4);
                key.append((char) (kind == 0 ? random.nextInt(0x80) : kind == 1 ? random.nextInt(0x100)
                        : kind == 2 ? random.nextInt(0x4000) : random.nextInt(0x10000)));
            }
            all.add(key.toString());
        }
        return all;
    }

    private static byte[] written(TypeSerializer<String> serializer, String value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        return out.getCopyOfBuffer();
    }

    @Test
    void writesStringSerializersBytes() throws IOException {
        for (String key : strings()) {
            assertArrayEquals(written(StringSerializer.INSTANCE, key), written(KEYS, key), key);
        }
        assertArrayEquals(written(StringSerializer.INSTANCE, null), written(KEYS, null));
    }

    @Test
    void writesTheSameThroughAStreamAsACheckpointDoes() throws IOException {
        ByteArrayOutputStream ours = new ByteArrayOutputStream();
        ByteArrayOutputStream flinks = new ByteArrayOutputStream();
        DataOutputViewStreamWrapper ourView = new DataOutputViewStreamWrapper(ours);
        DataOutputViewStreamWrapper flinkView = new DataOutputViewStreamWrapper(flinks);
        for (String key : strings()) {
            KEYS.serialize(key, ourView);
            StringSerializer.INSTANCE.serialize(key, flinkView);
        }
        assertArrayEquals(flinks.toByteArray(), ours.toByteArray());
    }

    @Test
    void eachReadsWhatTheOtherWrote() throws IOException {
        for (String key : strings()) {
            assertEquals(key, KEYS.deserialize(new DataInputDeserializer(written(StringSerializer.INSTANCE, key))));
            assertEquals(key, StringSerializer.INSTANCE.deserialize(new DataInputDeserializer(written(KEYS, key))));
        }
        assertEquals(null, KEYS.deserialize(new DataInputDeserializer(written(StringSerializer.INSTANCE, null))));
    }

    @Test
    void copiesAWrittenKeyAsItIs() throws IOException {
        for (String key : strings().subList(0, 50)) {
            byte[] bytes = written(KEYS, key);
            DataOutputSerializer out = new DataOutputSerializer(64);
            KEYS.copy(new DataInputViewStreamWrapper(new ByteArrayInputStream(bytes)), out);
            assertArrayEquals(bytes, out.getCopyOfBuffer());
        }
    }

    @Test
    void restoresStateWhoseKeysStringSerializerWrote() throws IOException {
        TypeSerializerSnapshot<String> ours = KEYS.snapshotConfiguration();
        assertTrue(ours.resolveSchemaCompatibility(StringSerializer.INSTANCE.snapshotConfiguration()).isCompatibleAsIs());
        assertTrue(ours.resolveSchemaCompatibility(KEYS.snapshotConfiguration()).isCompatibleAsIs());
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<String> longs = (TypeSerializerSnapshot) LongSerializer.INSTANCE.snapshotConfiguration();
        assertTrue(ours.resolveSchemaCompatibility(longs).isIncompatible());
    }

    @Test
    void itsSnapshotRestoresTheSerializer() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, KEYS.snapshotConfiguration());
        TypeSerializerSnapshot<String> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertSame(KEYS, read.restoreSerializer());
    }

    @Test
    void theKeyTypeGivesItAndSurvivesJavaSerialization() throws Exception {
        assertSame(KEYS, KeyStrings.TYPE.createSerializer(new SerializerConfigImpl()));
        assertTrue(KeyStrings.TYPE.isKeyType());
        assertEquals(String.class, KeyStrings.TYPE.getTypeClass());
        assertSame(KeyStrings.TYPE, roundTrip(KeyStrings.TYPE));
        assertSame(KEYS, roundTrip(KEYS));
    }

    private static Object roundTrip(Object value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }
}
