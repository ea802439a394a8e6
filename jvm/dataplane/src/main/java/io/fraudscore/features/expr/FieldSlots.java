package io.fraudscore.features.expr;

import java.util.LinkedHashMap;
import java.util.Map;

/** The event fields a plan reads, each given a slot once, so the engine reads an event as an array. */
public final class FieldSlots {
    private final Map<String, Integer> slots = new LinkedHashMap<>();

    public int slot(String field) {
        return slots.computeIfAbsent(field, name -> slots.size());
    }

    /** The slot of a field, or -1 when the plan never reads it. */
    public int find(String field) {
        return slots.getOrDefault(field, -1);
    }

    public int size() {
        return slots.size();
    }
}
