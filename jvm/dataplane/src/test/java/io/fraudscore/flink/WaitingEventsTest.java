package io.fraudscore.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

/**
 * The assembly's waiting events on the heap: by key and event id, due by deadline, and what a checkpoint stores
 * (through the serializer Flink gives the union list) taken back at a restore by the subtask that owns each key,
 * at another parallelism too.
 */
class WaitingEventsTest {
    private static final int MAX_PARALLELISM = 128;

    @Test
    void entriesAreFoundByKeyAndEventIdAndGoWithTheirKey() {
        WaitingEvents waiting = new WaitingEvents();
        Pending first = entry(100);
        waiting.put("c-1", "e-1", first);
        waiting.put("c-1", "e-2", entry(200));
        waiting.put("c-2", "e-1", entry(100));
        assertSame(first, waiting.get("c-1", "e-1"));
        assertEquals("c-1", first.key);
        assertEquals("e-1", first.eventId);
        assertNull(waiting.get("c-3", "e-1"));
        assertEquals(3, waiting.size());

        waiting.put("c-1", "e-1", entry(150)); // a mark in its place: still three
        assertEquals(3, waiting.size());
        waiting.remove("c-1", "e-1");
        waiting.remove("c-1", "e-2");
        waiting.remove("c-1", "e-2"); // gone already: nothing changes
        assertEquals(1, waiting.size());
        assertEquals(List.of(), waiting.due("c-1", Long.MAX_VALUE));
    }

    @Test
    void onlyTheKeysEntriesPastTheirDeadlineAreDue() {
        WaitingEvents waiting = new WaitingEvents();
        waiting.put("c-1", "e-1", entry(100));
        waiting.put("c-1", "e-2", entry(200));
        waiting.put("c-2", "e-3", entry(50));
        assertEquals(List.of("e-1"), ids(waiting.due("c-1", 100)));
        assertEquals(Set.of("e-1", "e-2"), new HashSet<>(ids(waiting.due("c-1", 200))));
        assertEquals(List.of(), ids(waiting.due("c-1", 99)));
    }

    @Test
    void aCheckpointsEntriesComeBackEachOnceAtTheSubtaskThatOwnsItsKey() throws IOException {
        WaitingEvents before = new WaitingEvents();
        for (int i = 0; i < 200; i++) {
            Pending entry = entry(1_000 + i);
            entry.eventUtf8 = ("{\"event_id\":\"e-" + i + "\"}").getBytes(StandardCharsets.UTF_8);
            entry.parts = new String[] {"card", "device"};
            entry.got = new String[] {"card"};
            entry.partFeatures = new String[] {"{\"n\":1}"};
            entry.arrived = 1;
            before.put("c-" + i % 37, "e-" + i, entry);
        }
        List<Pending> stored = throughFlinksSerializer(before.all());

        for (int parallelism : new int[] {1, 2, 3}) {
            int restored = 0;
            for (int subtask = 0; subtask < parallelism; subtask++) {
                WaitingEvents after = new WaitingEvents();
                after.restore(stored, owner(subtask, parallelism));
                for (Pending entry : after.all()) {
                    assertEquals(subtask, KeyGroupRangeAssignment.assignKeyToParallelOperator(entry.key,
                            MAX_PARALLELISM, parallelism));
                    Pending was = before.get(entry.key, entry.eventId);
                    assertNotNull(was);
                    assertArrayEquals(was.eventUtf8, entry.eventUtf8);
                    assertArrayEquals(was.got, entry.got);
                    assertArrayEquals(was.partFeatures, entry.partFeatures);
                    assertEquals(was.deadline, entry.deadline);
                    assertEquals(was.arrived, entry.arrived);
                }
                restored += after.size();
            }
            assertEquals(200, restored, "parallelism " + parallelism);
        }
    }

    private static Predicate<String> owner(int subtask, int parallelism) {
        return key -> KeyGroupRangeAssignment.assignKeyToParallelOperator(key, MAX_PARALLELISM, parallelism) == subtask;
    }

    private static List<Pending> throughFlinksSerializer(List<Pending> entries) throws IOException {
        TypeSerializer<Pending> serializer =
                TypeInformation.of(Pending.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(4096);
        for (Pending entry : entries) {
            serializer.serialize(entry, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        List<Pending> read = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            read.add(serializer.deserialize(in));
        }
        return read;
    }

    private static Pending entry(long deadline) {
        Pending entry = new Pending();
        entry.deadline = deadline;
        entry.parts = new String[0];
        entry.got = new String[0];
        entry.partFeatures = new String[0];
        return entry;
    }

    private static List<String> ids(List<Pending> entries) {
        return entries.stream().map(entry -> entry.eventId).toList();
    }
}
