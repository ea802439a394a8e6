package io.fraudscore.scoring;

import java.util.List;

/** Which output is "the score", chosen as pmml_engine.document.choose_score_field chooses it. */
public final class ScoreField {
    private static final List<String> POSITIVE = List.of("probability(1)", "probability(true)", "probability(1.0)");

    private ScoreField() {}

    /** As configured ({@code preferred}, when not null or empty), else P(positive class), else the last output. */
    public static String choose(List<String> outputs, String preferred) throws InvalidPmmlException {
        if (preferred != null && !preferred.isEmpty()) {
            if (!outputs.contains(preferred)) {
                throw new InvalidPmmlException("score field '" + preferred + "' is not an output of the model: "
                        + outputs);
            }
            return preferred;
        }
        for (String positive : POSITIVE) {
            if (outputs.contains(positive)) {
                return positive;
            }
        }
        if (outputs.isEmpty()) {
            throw new InvalidPmmlException("the model has no output field to use as a score");
        }
        return outputs.get(outputs.size() - 1);
    }
}
