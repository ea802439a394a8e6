package io.fraudscore.features.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fraudscore.features.engine.FeatureEngine;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A plan the engine cannot run is refused with what is wrong and where, never half-built. */
class PlanReaderTest {
    private static final String BLOCK = "{\"name\": \"c\", \"keys\": [\"card_id\"], \"composite\": false,"
            + " \"parts\": [{\"name\": \"c\", \"state_id\": \"c#1\", \"fields\": [\"card_id\"], \"suffix\": null}],"
            + " \"ttl_ms\": 1000, \"inputs\": [{\"value\": null, \"where\": null, \"kind\": \"any\"}],"
            + " \"aggregates\": [AGGREGATE], \"stateful\": [STATEFUL],"
            + " \"features\": [{\"name\": \"n\", \"type\": \"number\", \"updates\": [], \"expr\": EXPR,"
            + " \"default\": null}], \"outputs\": [\"n\"]}";
    private static final String PLAN = "{\"format\": \"fraudscore.feature-plan\", \"plan_version\": VERSION,"
            + " \"featureset\": \"t\", \"version\": 1, \"lateness_ms\": 0, \"blocks\": [" + BLOCK + "]}";
    private static final Map<String, String> GOOD = Map.of(
            "VERSION", "1",
            "AGGREGATE", "{\"function\": \"count\", \"input\": 0, \"every_event\": true, \"window\": {\"kind\":"
                    + " \"time\", \"millis\": 10, \"count\": 0, \"exclude_current\": false, \"tile_ms\": 0,"
                    + " \"approx\": false}}",
            "STATEFUL", "{\"function\": \"ema\", \"params\": [3], \"argument\": {\"field\": \"amount\"}}",
            "EXPR", "{\"aggregate\": 0}");

    private static String plan(String part, String replacement) {
        String text = PLAN;
        for (Map.Entry<String, String> entry : GOOD.entrySet()) {
            text = text.replace(entry.getKey(), entry.getKey().equals(part) ? replacement : entry.getValue());
        }
        return text;
    }

    static Stream<Arguments> badPlans() {
        return Stream.of(
                Arguments.of("VERSION", "2", "plan: plan_version 2 is not the 1 this engine runs: build the data"
                        + " plane from the same commit as the DSL compiler"),
                Arguments.of("AGGREGATE", GOOD.get("AGGREGATE").replace("count", "median"),
                        "block 'c', aggregate 0: unknown function 'median'"),
                Arguments.of("AGGREGATE", GOOD.get("AGGREGATE").replace("\"input\": 0", "\"input\": 4"),
                        "block 'c', aggregate 0: input 4 is not one of the block's 1"),
                Arguments.of("STATEFUL", GOOD.get("STATEFUL").replace("ema", "kalman"),
                        "block 'c', stateful call 0: unknown stateful function kalman"),
                Arguments.of("EXPR", "{\"call\": \"median\", \"args\": []}",
                        "block 'c', feature 'n': unknown function 'median'"),
                Arguments.of("EXPR", "{\"feature\": \"m\"}", "block 'c', feature 'n': unknown feature 'm'"),
                Arguments.of("EXPR", "{\"aggregate\": 3}",
                        "block 'c', feature 'n': aggregate 3 is not one of the block's 1"),
                Arguments.of("EXPR", "{\"lit\": 99999999999999999999}",
                        "block 'c', feature 'n': integer literal 99999999999999999999 is outside 64 bits"));
    }

    @ParameterizedTest
    @MethodSource("badPlans")
    void aBadPlanIsRefusedWithWhereAndWhat(String part, String replacement, String message) {
        InvalidPlanException error = assertThrows(InvalidPlanException.class,
                () -> new FeatureEngine(PlanReader.read(plan(part, replacement))));
        assertEquals(message, error.getMessage());
    }

    @ParameterizedTest
    @MethodSource("badPlans")
    void theGoodPlanBesideThemRuns(String part, String replacement, String message) throws Exception {
        new FeatureEngine(PlanReader.read(plan(part, GOOD.get(part))));
    }
}
