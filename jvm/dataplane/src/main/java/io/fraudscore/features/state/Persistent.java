package io.fraudscore.features.state;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A piece of one key's state that writes what it has learnt, and nothing the feature plan already says
 * (an ema's span, a window's length): the plan builds an empty instance, {@link #readFrom} fills it. So the
 * bytes stay small, and a state written before a change of these classes can still be read by a reader
 * that knows the older layout (the key state's codec writes a format version in front).
 */
public interface Persistent {
    void writeTo(DataOutput out) throws IOException;

    /** Fills this instance, fresh from the plan, with what {@link #writeTo} wrote. */
    void readFrom(DataInput in) throws IOException;
}
