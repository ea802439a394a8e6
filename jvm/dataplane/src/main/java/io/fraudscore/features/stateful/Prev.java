package io.fraudscore.features.stateful;

import io.fraudscore.features.state.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** {@code prev(x)}: x at the key's previous non-null value, as it was given (an int stays a Long). */
public final class Prev implements StatefulFunction {
    private Object previous;
    private Object last;

    @Override
    public void update(Object x, long ts) {
        previous = last;
        last = PythonArithmetic.checkNumber(x);
    }

    @Override
    public Object value(String member) {
        return previous;
    }

    Object previous() {
        return previous;
    }

    Object last() {
        return last;
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        ValueCodec.write(out, previous);
        ValueCodec.write(out, last);
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        previous = ValueCodec.read(in);
        last = ValueCodec.read(in);
    }
}
