package io.fraudscore.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scoring maps a record to the PMML inputs and gives every output; what a record lacks is missing. */
class PmmlModelTest {
    private static final double P_ATM = 0.7310585786300049; // 1 / (1 + exp(-(-2 + 0.01 * 100 + 0.5 * 2 + 1)))

    private final PmmlModel model = load();

    private static PmmlModel load() {
        try {
            return PmmlLoader.load(Models.logistic(), null);
        } catch (InvalidPmmlException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aModelNamesItsInputsOutputsAndScore() {
        assertEquals(List.of("amount", "txn_count_1h", "channel"), model.inputs());
        assertEquals(List.of("probability(0)", "probability(1)"), model.outputs());
        assertEquals("probability(1)", model.scoreField());
        assertEquals("RegressionModel", model.schema().modelElement());
        assertEquals(List.of("web", "atm"), model.schema().inputs().get(2).values());
    }

    @Test
    void everyOutputIsGivenInOrder() {
        Map<String, Object> outputs = model.score(Map.of("amount", 100.0, "txn_count_1h", 2L, "channel", "atm"));
        assertEquals(List.of("probability(0)", "probability(1)"), List.copyOf(outputs.keySet()));
        assertEquals(P_ATM, (Double) outputs.get("probability(1)"), 1e-15);
        assertEquals(1 - P_ATM, (Double) outputs.get("probability(0)"), 1e-15);
        assertEquals(P_ATM, model.scoreOf(outputs), 1e-15);
        assertThrows(UnsupportedOperationException.class, () -> outputs.put("x", 1));
    }

    @Test
    void aMissingInputIsMissingNeverAnError() {
        Map<String, Object> absent = new HashMap<>(Map.of("amount", 100.0, "channel", "atm"));
        assertEquals(P_ATM, model.scoreOf(model.score(absent)), 1e-15, "the MiningField's replacement, 2");
        absent.put("txn_count_1h", null);
        assertEquals(P_ATM, model.scoreOf(model.score(absent)), 1e-15);
        absent.put("txn_count_1h", Double.NaN);
        assertEquals(P_ATM, model.scoreOf(model.score(absent)), 1e-15);
        Map<String, Object> noAmount = new HashMap<>();
        noAmount.put("amount", null);
        noAmount.put("unrelated", List.of(1, 2));
        Map<String, Object> outputs = model.score(noAmount);
        assertNull(outputs.get("probability(1)"), "no replacement: no score, as pypmml gives none");
        assertEquals(Double.NaN, model.scoreOf(outputs));
    }

    @Test
    void aWrongTypeIsAnInvalidValueNeverAnError() {
        Map<String, Object> wrong = Map.of("amount", "a lot", "txn_count_1h", List.of(), "channel", 42L);
        assertEquals(List.of("probability(0)", "probability(1)"), List.copyOf(model.score(wrong).keySet()));
        assertEquals(model.score(Map.of()).keySet(), model.score(Map.of("channel", "never seen")).keySet());
    }

    @Test
    void theModelKeepsItsPmmlForState() {
        byte[] pmml = Models.logistic();
        assertArrayEquals(pmml, model.pmml());
        model.pmml()[0] = 'x';
        assertArrayEquals(pmml, model.pmml(), "a copy each time: the model is immutable");
    }

    @Test
    void theScoreFieldIsChosenAsThePythonSideChoosesIt() throws InvalidPmmlException {
        assertEquals("probability(1)", ScoreField.choose(List.of("probability(0)", "probability(1)"), null));
        assertEquals("probability(0)", ScoreField.choose(List.of("probability(0)", "probability(1)"), "probability(0)"));
        assertEquals("anomalyScore", ScoreField.choose(List.of("outlier", "anomalyScore"), ""));
        assertThrows(InvalidPmmlException.class, () -> ScoreField.choose(List.of(), null));
    }
}
