package io.fraudscore.live;

import java.util.HashMap;
import java.util.Map;

/** A {@link ControlState} in memory (Python's DictState): for tests and the replay command. */
public final class MapControlState implements ControlState {
    private final Map<String, String> values;

    public MapControlState() {
        this(new HashMap<>());
    }

    /** Over {@code values}, which it reads and changes. */
    public MapControlState(Map<String, String> values) {
        this.values = values;
    }

    @Override
    public String get(String key) {
        return values.get(key);
    }

    @Override
    public void put(String key, String value) {
        values.put(key, value);
    }

    @Override
    public void remove(String key) {
        values.remove(key);
    }

    /** The map itself. */
    public Map<String, String> asMap() {
        return values;
    }
}
