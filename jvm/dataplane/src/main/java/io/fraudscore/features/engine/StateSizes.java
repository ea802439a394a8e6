package io.fraudscore.features.engine;

import io.fraudscore.features.state.BytesOut;
import io.fraudscore.features.state.Persistent;
import io.fraudscore.features.tiles.TiledWindow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an engine's key states weigh as they would be stored ({@link KeyState#writeTo}), per part: for
 * {@code fraudscore dsl check --explain} and the state-bound tests, which measure rather than guess.
 */
public final class StateSizes {
    private StateSizes() {}

    /** Per part: its name, keys, serialized bytes of all its key states, their log entries, their tiles and the
     * tiles' bytes, and the bytes of an empty key (and of its tiled windows). */
    public static List<Map<String, Object>> measure(FeatureEngine engine) {
        List<Map<String, Object>> parts = new ArrayList<>();
        for (FeatureEngine.Route route : engine.routes()) {
            long bytes = 0;
            long entries = 0;
            long tiles = 0;
            long tileBytes = 0;
            for (KeyState state : route.states().values()) {
                bytes += serialized(state);
                entries += state.log().size();
                for (TiledWindow tiled : state.log().tiledWindows()) {
                    tiles += tiled.tileCount();
                    tileBytes += serialized(tiled);
                }
            }
            KeyState empty = route.program().newState();
            Map<String, Object> part = new LinkedHashMap<>();
            part.put("part", route.part());
            part.put("keys", route.states().size());
            part.put("bytes", bytes);
            part.put("entries", entries);
            part.put("tiles", tiles);
            part.put("tile_bytes", tileBytes);
            part.put("empty_bytes", serialized(empty));
            part.put("empty_tile_bytes", empty.log().tiledWindows().stream().mapToInt(StateSizes::serialized).sum());
            parts.add(part);
        }
        return parts;
    }

    public static int serialized(KeyState state) {
        return KeyStateCodec.encode(state).length;
    }

    private static int serialized(Persistent part) {
        BytesOut out = new BytesOut(256);
        try {
            part.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.size();
    }
}
