package io.fraudscore.scoring.compiled;

import io.fraudscore.scoring.PmmlModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Element;

/**
 * A PMML document compiled once into an evaluator over an array of doubles: the model shapes sklearn2pmml
 * writes (RegressionModel, TreeModel, MiningModel ensembles and chains), its DataDictionary's types, its
 * MiningSchema's missing-value replacement and invalid-value treatment, and scaler DerivedFields. It gives
 * exactly PMML4S's outputs (names, order, values) for every record; what it does not evaluate is refused at
 * {@link #compile} with an {@link UnsupportedPmmlException} naming the construct, and PMML4S scores that model.
 * Thread-safe: immutable after compile.
 */
public final class CompiledModel {
    private static final int RETURN_INVALID = 0;
    private static final int AS_IS = 1;
    private static final int AS_MISSING = 2;

    private final String[] inputs;
    private final Field[] inputFields;
    private final double[] replacements; // NaN: none
    private final int[] treatments;
    private final Expressions.Derived[] transformations;
    private final Model model;
    private final String[] outputs;
    private final int[] visible; // indexes of the final outputs among the model's
    private final int slots;

    private CompiledModel(List<String> inputs, List<Field> fields, double[] replacements, int[] treatments,
            Expressions.Derived[] transformations, Model model, Scope scope) {
        this.inputs = inputs.toArray(new String[0]);
        this.inputFields = fields.toArray(new Field[0]);
        this.replacements = replacements;
        this.treatments = treatments;
        this.transformations = transformations;
        this.model = model;
        List<String> names = new ArrayList<>();
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < model.outputs.length; i++) {
            if (model.outputs[i].isFinal) {
                names.add(model.outputs[i].name);
                shown.add(i);
            }
        }
        this.outputs = names.toArray(new String[0]);
        this.visible = shown.stream().mapToInt(Integer::intValue).toArray();
        this.slots = scope.slots();
    }

    /** The document compiled, or why not (the construct named). The document must have passed SafePmmlReader. */
    public static CompiledModel compile(byte[] pmml) throws UnsupportedPmmlException {
        Element root = Xml.parse(pmml);
        Scope scope = new Scope();
        Element dictionary = Xml.child(root, "DataDictionary");
        if (dictionary == null) {
            throw new UnsupportedPmmlException("a document without a <DataDictionary>");
        }
        for (Element dataField : Xml.children(dictionary, "DataField")) {
            scope.dataField(dataField);
        }
        List<Element> models = Xml.children(root).stream().filter(e -> Xml.isModel(e.getLocalName())).toList();
        if (models.size() != 1) {
            throw new UnsupportedPmmlException(models.isEmpty() ? "no model element" : "several model elements");
        }
        Element element = models.get(0);
        List<String> inputs = new ArrayList<>();
        List<Field> fields = new ArrayList<>();
        List<Double> replacements = new ArrayList<>();
        List<Integer> treatments = new ArrayList<>();
        Element schema = Xml.child(element, "MiningSchema");
        for (Element mining : schema == null ? List.<Element>of() : Xml.children(schema, "MiningField")) {
            String usage = Xml.attr(mining, "usageType", "active");
            if (usage.equals("target") || usage.equals("predicted") || usage.equals("supplementary")) {
                continue;
            }
            String name = Xml.attr(mining, "name", "");
            if (!usage.equals("active")) {
                throw new UnsupportedPmmlException("MiningField '" + name + "' of usageType '" + usage + "'");
            }
            Field field = scope.use(name, "MiningField");
            inputs.add(name);
            fields.add(field);
            replacements.add(replacement(mining, field));
            treatments.add(treatment(mining, name));
        }
        Expressions.Derived[] transformations = Expressions.derivedFields(Xml.child(root,
                "TransformationDictionary"), scope);
        Model model = Model.build(element, scope, null);
        double[] replacementArray = replacements.stream().mapToDouble(Double::doubleValue).toArray();
        int[] treatmentArray = treatments.stream().mapToInt(Integer::intValue).toArray();
        return new CompiledModel(inputs, fields, replacementArray, treatmentArray, transformations, model, scope);
    }

    private static double replacement(Element mining, Field field) throws UnsupportedPmmlException {
        String name = field.name;
        String missingTreatment = Xml.attr(mining, "missingValueTreatment", "asIs");
        if (missingTreatment.equals("returnInvalid")) {
            throw new UnsupportedPmmlException("MiningField '" + name + "' missingValueTreatment 'returnInvalid'");
        }
        if (!Xml.attr(mining, "outliers", "asIs").equals("asIs")) {
            throw new UnsupportedPmmlException("MiningField '" + name + "' outliers '" + Xml.attr(mining, "outliers")
                    + "'");
        }
        String text = Xml.attr(mining, "missingValueReplacement");
        if (text == null) {
            return Double.NaN;
        }
        Object typed = Field.typed(text, field.dataType);
        double encoded = typed == null ? Double.NaN : field.encode(typed);
        if (encoded != encoded || !field.valid(typed)) {
            throw new UnsupportedPmmlException("MiningField '" + name + "' missingValueReplacement '" + text
                    + "' that is no valid value of the field");
        }
        return encoded;
    }

    private static int treatment(Element mining, String name) throws UnsupportedPmmlException {
        String treatment = Xml.attr(mining, "invalidValueTreatment", "returnInvalid");
        switch (treatment) {
            case "returnInvalid":
                return RETURN_INVALID;
            case "asIs":
                return AS_IS;
            case "asMissing":
                return AS_MISSING;
            default:
                throw new UnsupportedPmmlException("MiningField '" + name + "' invalidValueTreatment '" + treatment
                        + "'");
        }
    }

    /** The fields the model reads, in MiningSchema order (PMML4S's inputNames). */
    public List<String> inputs() {
        return List.of(inputs);
    }

    /** Every output field, in PMML4S's order and with its names. */
    public List<String> outputs() {
        return List.of(outputs);
    }

    /**
     * The outputs for one record, in {@link #outputs()} order: a Double, a Long or a String, null where PMML4S
     * gives no value. A value is read as PmmlModel gives it to PMML4S: non-finite numbers and values of other
     * types are missing.
     */
    public Object[] score(Map<String, ?> record) {
        double[] row = new double[slots];
        Arrays.fill(row, Double.NaN);
        for (int i = 0; i < inputFields.length; i++) {
            Field field = inputFields[i];
            Object value = field.convert(PmmlModel.input(record.get(inputs[i])));
            double x;
            if (value == null) {
                x = replacements[i];
            } else if (field.valid(value)) {
                x = field.encode(value);
            } else if (treatments[i] == RETURN_INVALID) {
                return new Object[outputs.length];
            } else {
                x = treatments[i] == AS_MISSING ? replacements[i] : field.encode(value);
            }
            row[field.slot] = x;
        }
        Expressions.apply(transformations, row);
        Prediction prediction = model.predict(row);
        Object[] out = new Object[visible.length];
        for (int i = 0; i < visible.length; i++) {
            out[i] = prediction.outputs[visible[i]];
        }
        return out;
    }

    @Override
    public String toString() {
        return "CompiledModel[" + model.tag + ", inputs=" + Arrays.toString(inputs) + "]";
    }
}
