package io.fraudscore.scoring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Records made up from a model's schema, to warm it and to time it: each input's declared values, an unseen
 * one, numbers of several magnitudes and signs, and missing values, so that every branch kind is taken.
 */
public final class SyntheticRecords {
    private static final double MISSING = 0.05;

    private SyntheticRecords() {}

    public static List<Map<String, Object>> of(PmmlSchema schema, int count, long seed) {
        Random random = new Random(seed);
        List<Map<String, Object>> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Map<String, Object> record = new HashMap<>();
            for (PmmlSchema.Input input : schema.inputs()) {
                record.put(input.name(), random.nextDouble() < MISSING ? null : value(input, random));
            }
            records.add(record);
        }
        return records;
    }

    private static Object value(PmmlSchema.Input input, Random random) {
        List<String> declared = input.values();
        boolean numeric = isNumeric(input.dataType());
        if (!declared.isEmpty() && random.nextInt(20) > 0) {
            String value = declared.get(random.nextInt(declared.size()));
            return numeric ? number(value, input.dataType()) : value;
        }
        if (!numeric) {
            return input.dataType().equals("boolean") ? random.nextBoolean() : "unseen" + random.nextInt(3);
        }
        double magnitude = Math.pow(10, random.nextInt(7) - 2);
        double x = (random.nextDouble() * 2 - 0.5) * magnitude;
        return input.dataType().equals("integer") ? (Object) Math.round(x) : (Object) x;
    }

    private static boolean isNumeric(String dataType) {
        return dataType.equals("double") || dataType.equals("float") || dataType.equals("integer");
    }

    private static Object number(String text, String dataType) {
        try {
            return dataType.equals("integer") ? (Object) Long.parseLong(text) : (Object) Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return text;
        }
    }
}
