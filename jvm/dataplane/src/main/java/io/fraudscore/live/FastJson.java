package io.fraudscore.live;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The mapper for JSON on the per-event path: Jackson's with its own double writer (Schubfach) and parser
 * (FastDoubleParser). Java 17's {@code Double.toString} was a third of writing a score record; both write the
 * shortest text that reads back as the same double and read each text to the nearest double, as the JDK's.
 */
public final class FastJson {
    private FastJson() {}

    public static ObjectMapper mapper() {
        return JsonMapper.builder()
                .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .build();
    }
}
