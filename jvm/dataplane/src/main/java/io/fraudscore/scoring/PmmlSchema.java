package io.fraudscore.scoring;

import java.util.List;

/**
 * What a PMML document says about itself, read by {@link SafePmmlReader} before PMML4S sees it: the model
 * element, the active inputs in MiningSchema order with their DataDictionary types and declared values (for
 * warm-up records), and the declared output fields.
 */
public record PmmlSchema(String modelElement, List<Input> inputs, List<String> outputs) {
    public PmmlSchema {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** An active input: its name, DataField dataType ("double", "string", ...) and declared values. */
    public record Input(String name, String dataType, List<String> values) {
        public Input {
            values = List.copyOf(values);
        }
    }
}
