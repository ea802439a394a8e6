package io.fraudscore.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The score record's field-by-field JSON is, to the byte, what the per-event mapper writes for the same values;
 * its doubles read back as the same doubles.
 */
class RecordJsonTest {
    private static final ObjectMapper MAPPER = FastJson.mapper();
    private static final Object[] EDGES = {null, "", "é\"\\\n\t\u0001😀", Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, -0.0, 1e-7, 1e21, 0.1 + 0.2, Long.MIN_VALUE, Long.MAX_VALUE, 0, true, false,
        1.5f, new BigDecimal("1.10"), new BigInteger("123456789012345678901234567890"), List.of(), Map.of()};

    @Test
    void generatedValuesAreWrittenAsTheMapperWritesThem() throws Exception {
        Random random = new Random(7);
        for (int run = 0; run < 2_000; run++) {
            Map<String, Object> record = object(random, 3);
            String expected = new String(MAPPER.writeValueAsBytes(record), StandardCharsets.UTF_8);
            String written = new String(RecordJson.write(g -> RecordJson.value(g, record)), StandardCharsets.UTF_8);
            assertEquals(expected, written, "record " + run);
        }
    }

    @Test
    void aSubsetOfValuesIsWrittenAsTheMapOfIt() throws Exception {
        Random random = new Random(9);
        for (int run = 0; run < 2_000; run++) {
            Map<String, Object> values = object(random, 2);
            List<String> names = new ArrayList<>();
            Map<String, Object> subset = new LinkedHashMap<>();
            for (String name : values.keySet()) {
                if (random.nextBoolean()) {
                    names.add(0, name); // an order of its own, not the map's
                }
            }
            names.forEach(name -> subset.put(name, values.get(name)));
            String expected = new String(RecordJson.write(g -> {
                g.writeStartObject();
                RecordJson.field(g, "features", subset);
                g.writeEndObject();
            }), StandardCharsets.UTF_8);
            String written = new String(RecordJson.write(g -> {
                g.writeStartObject();
                RecordJson.fieldOf(g, "features", values, names);
                g.writeEndObject();
            }), StandardCharsets.UTF_8);
            assertEquals(expected, written, "record " + run);
            assertEquals(new String(MAPPER.writeValueAsBytes(Map.of("features", subset)), StandardCharsets.UTF_8),
                    written, "record " + run);
        }
    }

    /** The fast writer is not the JDK's: each double it writes must read back exactly, in no more digits. */
    @Test
    void doublesReadBackAsTheSameDoubles() throws Exception {
        Random random = new Random(11);
        for (int run = 0; run < 100_000; run++) {
            double value = run % 2 == 0
                    ? Double.longBitsToDouble(random.nextLong())
                    : random.nextDouble() * Math.pow(10, random.nextInt(60) - 30);
            if (!Double.isFinite(value)) {
                continue;
            }
            String written = new String(RecordJson.write(g -> RecordJson.value(g, value)), StandardCharsets.UTF_8);
            assertEquals(Double.doubleToLongBits(value), Double.doubleToLongBits(Double.parseDouble(written)), written);
            assertEquals(value, MAPPER.readValue(written, Double.class), written);
            assertTrue(written.length() <= Double.toString(value).length(), written + " longer than the JDK's");
        }
    }

    private static Map<String, Object> object(Random random, int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        int fields = random.nextInt(8);
        for (int i = 0; i < fields; i++) {
            map.put("f" + i + (random.nextBoolean() ? "_é" : ""), value(random, depth));
        }
        return map;
    }

    private static Object value(Random random, int depth) {
        return switch (random.nextInt(depth > 0 ? 9 : 7)) {
            case 0 -> EDGES[random.nextInt(EDGES.length)];
            case 1 -> random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
            case 2 -> random.nextLong();
            case 3 -> random.nextInt();
            case 4 -> random.nextBoolean();
            case 5 -> Long.toString(random.nextLong(), 36);
            case 6 -> null;
            case 7 -> object(random, depth - 1);
            default -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    list.add(value(random, depth - 1));
                }
                yield list;
            }
        };
    }
}
