package io.fraudscore.scoring;

import io.fraudscore.scoring.compiled.CompiledModel;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pmml4s.model.Model;

/**
 * One compiled, immutable model: the PMML4S model, its PMML bytes, its inputs and outputs (named and ordered
 * as PMML4S, hence pypmml, names them) and the output that is the score. Built by {@link PmmlLoader}, usually
 * through {@link ModelCompiler}. It scores with the compiled engine ({@link CompiledModel}, the same outputs
 * several times faster) when the document compiles, else with PMML4S; {@link #engine()} says which and
 * {@link #fallbackReason()} why PMML4S. Thread-safe: PMML4S models and compiled ones are.
 *
 * <p>A PMML4S model is not serializable once it has scored: keep {@link #pmml()} in state and load the model
 * again on restore (the scoring operator holds this in a transient field).
 */
public final class PmmlModel {
    private final byte[] pmml;
    private final PmmlSchema schema;
    private final Model model;
    private final String[] inputs;
    private final String[] outputs;
    private final String scoreField;
    private final CompiledModel compiled; // null: PMML4S scores
    private final String fallbackReason;

    PmmlModel(byte[] pmml, PmmlSchema schema, Model model, String scoreField, CompiledModel compiled,
            String fallbackReason) {
        this.pmml = pmml.clone();
        this.schema = schema;
        this.model = model;
        this.inputs = model.inputNames().clone();
        this.outputs = model.outputNames().clone();
        this.scoreField = scoreField;
        this.compiled = compiled;
        this.fallbackReason = compiled == null ? fallbackReason : null;
    }

    /** The engine that scores: {@value PmmlLoader#COMPILED} or {@value PmmlLoader#PMML4S}. */
    public String engine() {
        return compiled != null ? PmmlLoader.COMPILED : PmmlLoader.PMML4S;
    }

    /** Why PMML4S scores this model ("not compiled: ..."), null when the compiled engine does. */
    public String fallbackReason() {
        return fallbackReason;
    }

    /** The PMML document as it was loaded: what state keeps. */
    public byte[] pmml() {
        return pmml.clone();
    }

    public PmmlSchema schema() {
        return schema;
    }

    /** The fields the model reads, in PMML4S's order. */
    public List<String> inputs() {
        return List.of(inputs);
    }

    /** Every output field, in PMML4S's (and pypmml's) order. */
    public List<String> outputs() {
        return List.of(outputs);
    }

    public String scoreField() {
        return scoreField;
    }

    /**
     * Every output for one record (features and event fields by name; other keys are ignored): an unmodifiable
     * map in {@link #outputs()} order. An input that is absent, null, NaN, infinite or of a type PMML has no
     * use for is missing, as PMML's missing-value treatment then says; an output with no value (PMML4S's NaN,
     * or its missing integer, the smallest long) is null, as the Python scorers give it. Never throws for what a record holds.
     */
    public Map<String, Object> score(Map<String, ?> record) {
        if (compiled != null) {
            Object[] values = compiled.score(record);
            Map<String, Object> out = new LinkedHashMap<>(outputs.length * 2);
            for (int i = 0; i < outputs.length; i++) {
                out.put(outputs[i], output(values[i]));
            }
            return Collections.unmodifiableMap(out);
        }
        return scoreWithPmml4s(record);
    }

    /** {@link #score} by PMML4S, whichever engine scores: the reference the compiled engine is checked against. */
    public Map<String, Object> scoreWithPmml4s(Map<String, ?> record) {
        Map<String, Object> in = new HashMap<>(inputs.length * 2);
        for (String name : inputs) {
            in.put(name, input(record.get(name)));
        }
        Map<String, Object> result = model.predict(in);
        Map<String, Object> out = new LinkedHashMap<>(outputs.length * 2);
        for (String name : outputs) {
            out.put(name, output(result.get(name)));
        }
        return Collections.unmodifiableMap(out);
    }

    /** The score of outputs {@link #score} gave, NaN when the model gave none or not a number. */
    public double scoreOf(Map<String, Object> outputs) {
        return outputs.get(scoreField) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** A record's value as the engines read it: a non-finite number or a value of another type is missing. */
    public static Object input(Object value) {
        if (value instanceof Double d) {
            return Double.isFinite(d) ? d : null;
        }
        if (value instanceof Float f) {
            return Float.isFinite(f) ? f.doubleValue() : null;
        }
        return value instanceof Number || value instanceof String || value instanceof Boolean ? value : null;
    }

    private static Object output(Object value) {
        if (value instanceof Long l) {
            return l == Long.MIN_VALUE ? null : l; // PMML4S's missing integer (pmml_engine.engine reads it so)
        }
        if (value instanceof Double d) {
            return Double.isFinite(d) ? d : null;
        }
        if (value instanceof Float f) {
            return Float.isFinite(f) ? f.doubleValue() : null;
        }
        return value;
    }

    @Override
    public String toString() {
        return "PmmlModel[" + schema.modelElement() + ", " + engine() + ", inputs=" + Arrays.toString(inputs) + ", score="
                + scoreField + "]";
    }
}
