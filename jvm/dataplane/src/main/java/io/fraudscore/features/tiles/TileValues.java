package io.fraudscore.features.tiles;

import io.fraudscore.features.state.Persistent;
import io.fraudscore.features.state.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HashSet;

/**
 * The distinct values of one tile (Python's per-tile {@code set}), each as its Python dict key
 * ({@code Numbers.key}: 1, 1.0 and true are one value), so a window counts the tiles a value is in.
 */
final class TileValues implements Persistent {
    final HashSet<Object> keys = new HashSet<>();

    @Override
    public void writeTo(DataOutput out) throws IOException {
        ValueCodec.writeCount(out, keys.size());
        for (Object key : keys) {
            ValueCodec.write(out, key);
        }
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        keys.clear();
        int count = ValueCodec.readCount(in);
        for (int i = 0; i < count; i++) {
            keys.add(ValueCodec.read(in));
        }
    }
}
