package io.fraudscore.flink;

import io.fraudscore.live.ControlState;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;

/**
 * An operator's broadcast state as the live control logic reads and writes it. Writable on the control
 * side; on the event side Flink hands out a read-only view, and a write there is a bug.
 */
final class BroadcastControlState implements ControlState {
    private final ReadOnlyBroadcastState<String, String> readable;
    private final BroadcastState<String, String> writable;

    private BroadcastControlState(ReadOnlyBroadcastState<String, String> readable, BroadcastState<String, String> writable) {
        this.readable = readable;
        this.writable = writable;
    }

    static BroadcastControlState readOnly(ReadOnlyBroadcastState<String, String> state) {
        return new BroadcastControlState(state, null);
    }

    static BroadcastControlState writable(BroadcastState<String, String> state) {
        return new BroadcastControlState(state, state);
    }

    @Override
    public String get(String key) {
        try {
            return readable.get(key);
        } catch (Exception e) {
            throw new IllegalStateException("broadcast state unreadable: " + e.getMessage(), e);
        }
    }

    @Override
    public void put(String key, String value) {
        try {
            writable().put(key, value);
        } catch (Exception e) {
            throw new IllegalStateException("broadcast state unwritable: " + e.getMessage(), e);
        }
    }

    @Override
    public void remove(String key) {
        try {
            writable().remove(key);
        } catch (Exception e) {
            throw new IllegalStateException("broadcast state unwritable: " + e.getMessage(), e);
        }
    }

    private BroadcastState<String, String> writable() {
        if (writable == null) {
            throw new IllegalStateException("control state changed from the event side");
        }
        return writable;
    }
}
