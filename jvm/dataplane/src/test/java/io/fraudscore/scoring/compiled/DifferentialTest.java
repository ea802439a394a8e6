package io.fraudscore.scoring.compiled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.fraudscore.scoring.InvalidPmmlException;
import io.fraudscore.scoring.PmmlLoader;
import io.fraudscore.scoring.PmmlModel;
import io.fraudscore.scoring.PmmlSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compiled engine against PMML4S, the reference: for every PMML the scorer tests use, the three bench models
 * (sklearn2pmml's lr, gbm and rf of examples/payments.fdsl) and models made here for each shape and option the
 * compiler takes, the same output names in the same order and the same values (1e-9 relative; strings and
 * integers exactly) on thousands of records of declared values, thresholds, unseen categories, nulls, NaN,
 * infinities, out-of-range numbers and values of the wrong type.
 */
class DifferentialTest {
    private static final int RECORDS = 3_000;
    private static final Pattern VALUE = Pattern.compile("value=\"([^\"]*)\"");

    static Stream<Arguments> documents() {
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put("logistic", resource("/scoring/logistic.pmml"));
        all.put("bench-lr", resource("/scoring/bench/bench-lr.pmml"));
        all.put("bench-gbm", resource("/scoring/bench/bench-gbm.pmml"));
        all.put("bench-rf", resource("/scoring/bench/bench-rf.pmml"));
        all.putAll(Generated.all());
        return all.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void compiledScoresAsPmml4s(String name, byte[] pmml) throws InvalidPmmlException {
        PmmlModel model = PmmlLoader.load(pmml, null, "compiled");
        assertEquals(PmmlLoader.COMPILED, model.engine(), name);
        assertNull(model.fallbackReason());
        List<Map<String, Object>> records = records(model.schema(), thresholds(pmml), new Random(name.hashCode()));
        int compared = 0;
        for (Map<String, Object> record : records) {
            Map<String, Object> expected = model.scoreWithPmml4s(record);
            Map<String, Object> actual = model.score(record);
            assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), name);
            for (String output : expected.keySet()) {
                Object e = expected.get(output);
                Object a = actual.get(output);
                if (!PmmlLoader.same(e, a) || (e != null && a != null && e.getClass() != a.getClass())) {
                    fail(name + ": " + output + " is " + a + " (" + (a == null ? "" : a.getClass().getSimpleName())
                            + "), PMML4S gives " + e + " (" + (e == null ? "" : e.getClass().getSimpleName())
                            + ") for " + record);
                }
                compared += e == null ? 0 : 1;
            }
        }
        assertEquals(true, compared > RECORDS / 4, name + ": too few outputs with a value to compare: " + compared);
    }

    /** Every value="..." of the document: thresholds and categories, the values where engines part if at all. */
    private static List<String> thresholds(byte[] pmml) {
        List<String> values = new ArrayList<>();
        Matcher m = VALUE.matcher(new String(pmml, StandardCharsets.UTF_8));
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }

    static List<Map<String, Object>> records(PmmlSchema schema, List<String> thresholds, Random random) {
        List<Map<String, Object>> records = new ArrayList<>(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            Map<String, Object> record = new HashMap<>();
            boolean odd = random.nextInt(10) == 0; // one record in ten gets the odd values
            for (PmmlSchema.Input input : schema.inputs()) {
                if (random.nextInt(odd ? 3 : 12) == 0) {
                    continue; // absent
                }
                record.put(input.name(), value(input, thresholds, random, odd));
            }
            records.add(record);
        }
        return records;
    }

    private static Object value(PmmlSchema.Input input, List<String> thresholds, Random random, boolean odd) {
        boolean numeric = !input.dataType().equals("string");
        if (odd) {
            Object[] strange = {null, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, "abc", "",
                true, false, new BigDecimal("1.5"), 7, (short) 3, 2.5f, Float.NaN, Long.MAX_VALUE, -1e300, 1e300,
                "12.5", " 3 ", "1", "1.0", 1.0, 0L, List.of(1), "unseen", "Infinity", "NaN", -0.0};
            return strange[random.nextInt(strange.length)];
        }
        List<String> declared = input.values();
        if (!declared.isEmpty() && random.nextInt(8) > 0) {
            String v = declared.get(random.nextInt(declared.size()));
            return numeric ? number(v, random) : v;
        }
        if (!numeric) {
            return random.nextInt(4) == 0 ? "unseen" + random.nextInt(3) : declared.isEmpty() ? "x"
                    : declared.get(random.nextInt(declared.size()));
        }
        if (!thresholds.isEmpty() && random.nextInt(3) == 0) {
            return number(thresholds.get(random.nextInt(thresholds.size())), random);
        }
        double magnitude = Math.pow(10, random.nextInt(7) - 2);
        double x = (random.nextDouble() * 2 - 0.5) * magnitude;
        return input.dataType().equals("integer") && random.nextBoolean() ? (Object) Math.round(x) : (Object) x;
    }

    private static Object number(String text, Random random) {
        try {
            double d = Double.parseDouble(text);
            return switch (random.nextInt(4)) {
                case 0 -> text;
                case 1 -> Math.nextUp(d);
                case 2 -> (Object) (long) d;
                default -> d;
            };
        } catch (NumberFormatException e) {
            return text;
        }
    }

    static byte[] resource(String path) {
        try (InputStream in = DifferentialTest.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
