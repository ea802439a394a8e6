package io.fraudscore.flink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The events waiting in the assembly for their parts (and the marks of those scored without some), by customer
 * key and event id, on the heap of the task: not Flink state. An event waits a few milliseconds; keeping it in
 * keyed state logged each of its parts' arrivals whole in the state changelog (the event and the features so
 * far, about 1 KB an event), bytes that stayed on the heap until the next checkpoint uploaded them and made most
 * of what each young collection copied. {@link AssembleAndScore} writes what waits at a checkpoint into its
 * operator state instead, and takes back at a restore the entries of the keys it owns.
 */
final class WaitingEvents {
    private final Map<String, Map<String, Pending>> byKey = new HashMap<>();
    private int size;

    /** The event's entry, or null. */
    Pending get(String key, String eventId) {
        Map<String, Pending> events = byKey.get(key);
        return events == null ? null : events.get(eventId);
    }

    /** Adds or replaces the event's entry; the entry learns its key and event id (a snapshot stores them). */
    void put(String key, String eventId, Pending entry) {
        entry.key = key;
        entry.eventId = eventId;
        if (byKey.computeIfAbsent(key, k -> new HashMap<>(4)).put(eventId, entry) == null) {
            size++;
        }
    }

    void remove(String key, String eventId) {
        Map<String, Pending> events = byKey.get(key);
        if (events != null && events.remove(eventId) != null) {
            size--;
            if (events.isEmpty()) {
                byKey.remove(key);
            }
        }
    }

    /** The key's entries whose deadline is at or before {@code now}. Most timers find their key with nothing
     * waiting (each part came in time): no list is made for them. */
    List<Pending> due(String key, long now) {
        Map<String, Pending> events = byKey.get(key);
        if (events == null) {
            return List.of();
        }
        List<Pending> due = new ArrayList<>();
        for (Pending entry : events.values()) {
            if (entry.deadline <= now) {
                due.add(entry);
            }
        }
        return due;
    }

    /** Every entry: what a checkpoint stores. */
    List<Pending> all() {
        List<Pending> all = new ArrayList<>(size);
        byKey.values().forEach(events -> all.addAll(events.values()));
        return all;
    }

    /** Takes the entries a checkpoint stored, those of the keys this subtask owns. */
    void restore(Iterable<Pending> stored, Predicate<String> owns) {
        for (Pending entry : stored) {
            if (owns.test(entry.key)) {
                put(entry.key, entry.eventId, entry);
            }
        }
    }

    int size() {
        return size;
    }
}
