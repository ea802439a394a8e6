package io.fraudscore.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Warm-up records cover what events bring: declared categories, unseen ones, numbers, missing values. */
class WarmUpTest {
    @Test
    void syntheticRecordsTakeEveryKindOfValue() throws InvalidPmmlException {
        PmmlModel model = PmmlLoader.load(Models.logistic(), null);
        List<Map<String, Object>> records = SyntheticRecords.of(model.schema(), 2_000, 7);
        assertEquals(records, SyntheticRecords.of(model.schema(), 2_000, 7), "the same seed, the same records");
        Set<Object> channels = records.stream().map(r -> r.get("channel")).collect(Collectors.toSet());
        assertTrue(channels.containsAll(Set.of("web", "atm")), channels.toString());
        assertTrue(channels.contains(null));
        assertTrue(channels.stream().anyMatch(c -> c instanceof String s && s.startsWith("unseen")));
        List<Double> amounts = records.stream().map(r -> r.get("amount")).filter(Objects::nonNull)
                .map(Double.class::cast).toList();
        assertTrue(amounts.stream().anyMatch(a -> a < 0) && amounts.stream().anyMatch(a -> a > 1000));
    }

    @Test
    void warmUpScoresTheModelOnThoseRecords() throws InvalidPmmlException {
        for (byte[] pmml : List.of(Models.logistic(), Models.forest(3, 3))) {
            PmmlModel model = PmmlLoader.load(pmml, null);
            WarmUp.warm(model, 500); // no record makes scoring throw
            assertEquals(model.outputs(), List.copyOf(model.score(Map.of()).keySet()));
        }
    }

    @Test
    void onlyWhatPmml4sScoresIsWarmed() throws InvalidPmmlException {
        PmmlModel compiled = PmmlLoader.load(Models.logistic(), null, "auto");
        PmmlModel pmml4s = PmmlLoader.load(Models.logistic(), null, "pypmml");
        assertEquals(PmmlLoader.COMPILED, compiled.engine());
        assertEquals(0, WarmUp.recordsFor(compiled, 2_000), "checked on its own records as it loaded");
        assertEquals(2_000, WarmUp.recordsFor(pmml4s, 2_000));
    }
}
