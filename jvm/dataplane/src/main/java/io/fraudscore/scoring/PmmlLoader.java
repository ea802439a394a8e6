package io.fraudscore.scoring;

import io.fraudscore.scoring.compiled.CompiledModel;
import io.fraudscore.scoring.compiled.UnsupportedPmmlException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.pmml4s.model.Model;

/**
 * Loads PMML into a {@link PmmlModel}: {@link SafePmmlReader} first (no DTD, no entities, a PMML 4.x model
 * with its fields defined), then PMML4S, then the compiled engine ({@link CompiledModel}) unless the engine
 * setting is "pypmml". A compiled model is checked against PMML4S on synthetic records before it is used; where
 * it does not compile, or disagrees, PMML4S scores ("auto") or the load is refused ("compiled"). Any refusal is
 * an {@link InvalidPmmlException} with the reason; nothing PMML4S throws escapes as anything else.
 */
public final class PmmlLoader {
    /** The engine settings of a model.deploy (pmml_engine.engine.ENGINES). */
    public static final List<String> ENGINES = List.of("auto", "compiled", "pypmml");
    /** What {@link PmmlModel#engine()} says. */
    public static final String COMPILED = "compiled";
    public static final String PMML4S = "pmml4s";
    static final int CHECKED_RECORDS = 300;
    private static final long CHECK_SEED = 20_261_203L;

    private PmmlLoader() {}

    /** The model, its score field as configured ({@code scoreField}, or null: see {@link ScoreField}); engine auto. */
    public static PmmlModel load(byte[] pmml, String scoreField) throws InvalidPmmlException {
        return load(pmml, scoreField, "auto");
    }

    /**
     * The model scored by {@code engine}: "auto" (compiled when it can, else PMML4S with the reason), "compiled"
     * (refused when it does not compile) or "pypmml" (PMML4S, which pypmml wraps).
     */
    public static PmmlModel load(byte[] pmml, String scoreField, String engine) throws InvalidPmmlException {
        if (!ENGINES.contains(engine)) {
            throw new InvalidPmmlException("unknown engine '" + engine + "'; use one of " + String.join(", ", ENGINES));
        }
        PmmlSchema schema = SafePmmlReader.read(pmml);
        Model model;
        try {
            model = Model.fromBytes(pmml);
        } catch (Exception | StackOverflowError e) { // PMML4S throws PmmlException, a checked one Scala never declares
            throw new InvalidPmmlException("PMML4S cannot load the model: " + reason(e), e);
        }
        String field = ScoreField.choose(List.of(model.outputNames()), scoreField);
        PmmlModel reference = new PmmlModel(pmml, schema, model, field, null, "engine 'pypmml' asked for");
        if (engine.equals("pypmml")) {
            return reference;
        }
        String unsupported;
        try {
            CompiledModel compiled = CompiledModel.compile(pmml);
            PmmlModel fast = new PmmlModel(pmml, schema, model, field, compiled, null);
            unsupported = disagreement(reference, fast, compiled);
            if (unsupported == null) {
                return fast;
            }
        } catch (UnsupportedPmmlException e) {
            unsupported = e.getMessage();
        } catch (RuntimeException | StackOverflowError e) {
            unsupported = "the compiled engine failed: " + e.getClass().getSimpleName() + ": " + reason(e);
        }
        if (engine.equals("compiled")) {
            throw new InvalidPmmlException("the compiled engine cannot score this model: " + unsupported);
        }
        return new PmmlModel(pmml, schema, model, field, null, "not compiled: " + unsupported);
    }

    /** Where the compiled model and PMML4S part on the checking records (names, order, values), null: nowhere. */
    private static String disagreement(PmmlModel reference, PmmlModel fast, CompiledModel compiled) {
        if (!compiled.inputs().equals(reference.inputs()) || !compiled.outputs().equals(reference.outputs())) {
            return "its inputs " + compiled.inputs() + " and outputs " + compiled.outputs() + " are not PMML4S's "
                    + reference.inputs() + " and " + reference.outputs();
        }
        for (Map<String, Object> record : SyntheticRecords.of(reference.schema(), CHECKED_RECORDS, CHECK_SEED)) {
            Map<String, Object> expected = reference.scoreWithPmml4s(record);
            Map<String, Object> actual = fast.score(record);
            for (String name : reference.outputs()) {
                if (!same(expected.get(name), actual.get(name))) {
                    return "it gives " + name + "=" + actual.get(name) + " where PMML4S gives " + expected.get(name)
                            + " for " + record;
                }
            }
        }
        return null;
    }

    /** Equal outputs: the same string or integer, doubles within 1e-9 relative. */
    public static boolean same(Object expected, Object actual) {
        if (expected instanceof Double e && actual instanceof Double a) {
            return e.equals(a) || Math.abs(e - a) <= 1e-9 * Math.max(Math.abs(e), Math.abs(a));
        }
        return Objects.equals(expected, actual);
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
