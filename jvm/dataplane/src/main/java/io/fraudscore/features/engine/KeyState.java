package io.fraudscore.features.engine;

import io.fraudscore.features.state.Persistent;
import io.fraudscore.features.stateful.StatefulFunction;
import io.fraudscore.features.window.KeyLog;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Everything one key of one block remembers: its windows and each stateful function. */
public final class KeyState implements Persistent {
    final KeyLog log;
    StatefulFunction[] functions;

    KeyState(KeyLog log, StatefulFunction[] functions) {
        this.log = log;
        this.functions = functions;
    }

    public KeyLog log() {
        return log;
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        log.writeTo(out);
        for (StatefulFunction function : functions) {
            function.writeTo(out);
        }
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        log.readFrom(in);
        for (StatefulFunction function : functions) {
            function.readFrom(in);
        }
    }
}
