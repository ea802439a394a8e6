package io.fraudscore.scoring;

import org.pmml4s.model.Model;

/**
 * Loads PMML into a {@link PmmlModel}: {@link SafePmmlReader} first (no DTD, no entities, a PMML 4.x model
 * with its fields defined), then PMML4S. Any refusal is an {@link InvalidPmmlException} with the reason;
 * nothing PMML4S throws escapes as anything else.
 */
public final class PmmlLoader {
    private PmmlLoader() {}

    /** The model, its score field as configured ({@code scoreField}, or null: see {@link ScoreField}). */
    public static PmmlModel load(byte[] pmml, String scoreField) throws InvalidPmmlException {
        PmmlSchema schema = SafePmmlReader.read(pmml);
        Model model;
        try {
            model = Model.fromBytes(pmml);
        } catch (Exception | StackOverflowError e) { // PMML4S throws PmmlException, a checked one Scala never declares
            throw new InvalidPmmlException("PMML4S cannot load the model: " + reason(e), e);
        }
        return new PmmlModel(pmml, schema, model, ScoreField.choose(java.util.List.of(model.outputNames()),
                scoreField));
    }

    private static String reason(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String first = message.strip().lines().findFirst().orElse("");
        return first.length() > 300 ? first.substring(0, 300) : first;
    }
}
