package io.fraudscore.scoring.compiled;

/** What one model gives for one record, before its output fields: PMML4S's ModelOutputs. */
final class Prediction {
    /** A regression's value, or a classification's class (its index among the target's classes); NaN: none. */
    double value = Double.NaN;
    /** Each class's probability (NaN: none for that class); null: no probabilities at all. */
    double[] probabilities;
    double confidence = Double.NaN;
    String nodeId;
    /** The model's output field values, in order (its Output element's, or PMML4S's defaults). */
    Object[] outputs;

    /** As new. */
    void clear() {
        value = Double.NaN;
        probabilities = null;
        confidence = Double.NaN;
        nodeId = null;
        outputs = null;
    }
}
