package io.fraudscore.scoring.compiled;

import java.util.List;
import org.w3c.dom.Element;

/**
 * One compiled model element with what surrounds it: its target, LocalTransformations (top model only), Targets
 * rescaling and output fields (its Output element's, else the ones PMML4S makes up). Subclasses compute the
 * prediction; {@link #predict} runs the rest.
 */
abstract class Model {
    final String tag;
    final boolean classification;
    final String targetName;
    final String targetType;
    /** A classification's classes (its target's declared values, in order); null for a regression. */
    final Object[] classes;
    private Expressions.Derived[] local = new Expressions.Derived[0];
    private Rescale rescale;
    Output[] outputs;
    boolean hasOutputElement;
    int[] chainSlots; // a chained segment's outputs go to these slots, for the segments after it
    boolean computesOutputs = true; // false for an ensemble's member: its prediction is all the ensemble reads

    /** Targets with one Target: clamp, rescale, round (PMML4S's Target.postPredictedValue). */
    private record Rescale(double min, double max, double factor, double constant, String cast) {
        double apply(double y) {
            double c = Math.min(max, Math.max(min, y)) * factor + constant;
            switch (cast) {
                case "round":
                    return Math.round(c);
                case "ceiling":
                    return Math.ceil(c);
                case "floor":
                    return Math.floor(c);
                default:
                    return c;
            }
        }
    }

    Model(Element element, Scope scope, Model parent) throws UnsupportedPmmlException {
        this.tag = element.getLocalName();
        String function = Xml.attr(element, "functionName", "");
        if (!function.equals("regression") && !function.equals("classification")) {
            throw new UnsupportedPmmlException(tag + " of functionName '" + function + "'");
        }
        if ("false".equals(Xml.attr(element, "isScorable"))) {
            throw new UnsupportedPmmlException(tag + " marked not scorable");
        }
        this.classification = function.equals("classification");
        String target = null;
        Element schema = Xml.child(element, "MiningSchema");
        if (schema == null) {
            throw new UnsupportedPmmlException(tag + " without a <MiningSchema>");
        }
        for (Element field : Xml.children(schema, "MiningField")) {
            String usage = Xml.attr(field, "usageType", "active");
            if (usage.equals("target") || usage.equals("predicted")) {
                if (target != null) {
                    throw new UnsupportedPmmlException(tag + " with several targets");
                }
                target = Xml.attr(field, "name", "");
            }
        }
        if (target != null) {
            Field field = scope.find(target);
            if (field == null || field.unsupported != null) {
                throw new UnsupportedPmmlException(field == null ? "target '" + target + "' not in the DataDictionary"
                        : field.unsupported);
            }
            this.targetName = target;
            this.targetType = field.dataType;
            this.classes = classification ? field.values : null;
        } else if (parent != null) {
            this.targetName = parent.targetName;
            this.targetType = parent.targetType;
            this.classes = classification ? parent.classes : null;
        } else {
            this.targetName = null;
            this.targetType = "double";
            this.classes = classification ? new Object[0] : null;
        }
        if (classification && (classes == null || classes.length == 0)) {
            throw new UnsupportedPmmlException(tag + ": a classification without a categorical target that declares "
                    + "its values");
        }
        if (classification && !targetType.equals("integer") && !targetType.equals("string")) {
            throw new UnsupportedPmmlException(tag + ": a classification target of dataType '" + targetType + "'");
        }
    }

    /** Builds the element's model: one class per element, found by tag. */
    static Model build(Element element, Scope scope, Model parent) throws UnsupportedPmmlException {
        String tag = element.getLocalName();
        Model model;
        boolean top = parent == null;
        if (!top) {
            checkNestedSchema(element);
            if (Xml.child(element, "LocalTransformations") != null) {
                throw new UnsupportedPmmlException("<LocalTransformations> of a nested " + tag);
            }
        }
        Expressions.Derived[] local = top ? Expressions.derivedFields(Xml.child(element, "LocalTransformations"),
                scope) : new Expressions.Derived[0];
        switch (tag) {
            case "RegressionModel":
                model = new Regression(element, scope, parent);
                break;
            case "TreeModel":
                model = new Tree(element, scope, parent);
                break;
            case "MiningModel":
                model = new Mining(element, scope, parent);
                break;
            default:
                throw new UnsupportedPmmlException("model <" + tag + ">");
        }
        model.local = local;
        model.rescale = rescale(Xml.child(element, "Targets"), model);
        Element output = Xml.child(element, "Output");
        model.hasOutputElement = output != null;
        model.outputs = output != null ? Output.of(output, model) : model.defaultOutputs();
        return model;
    }

    /** PMML4S prepares a nested model's inputs again only where its MiningField says more than the name. */
    private static void checkNestedSchema(Element element) throws UnsupportedPmmlException {
        for (Element field : Xml.children(Xml.child(element, "MiningSchema"), "MiningField")) {
            for (String attribute : List.of("missingValueReplacement", "missingValueTreatment",
                    "invalidValueTreatment", "outliers", "lowValue", "highValue", "invalidValueReplacement")) {
                if (field.hasAttribute(attribute)) {
                    throw new UnsupportedPmmlException("MiningField '" + Xml.attr(field, "name") + "' of a nested "
                            + element.getLocalName() + " with " + attribute);
                }
            }
        }
    }

    private static Rescale rescale(Element targets, Model model) throws UnsupportedPmmlException {
        if (targets == null) {
            return null;
        }
        List<Element> all = Xml.children(targets, "Target");
        if (model.classification || all.size() != 1 || !Xml.children(all.get(0)).isEmpty()) {
            throw new UnsupportedPmmlException("<Targets> other than one rescaled regression value");
        }
        Element t = all.get(0);
        String cast = Xml.attr(t, "castInteger", "");
        if (!List.of("", "round", "ceiling", "floor").contains(cast)) {
            throw new UnsupportedPmmlException("<Target> castInteger '" + cast + "'");
        }
        return new Rescale(Xml.number(t, "min", Double.NEGATIVE_INFINITY), Xml.number(t, "max",
                Double.POSITIVE_INFINITY), Xml.number(t, "rescaleFactor", 1), Xml.number(t, "rescaleConstant", 0),
                cast);
    }

    /** The output fields PMML4S gives a model without an Output element. */
    abstract Output[] defaultOutputs() throws UnsupportedPmmlException;

    /** The prediction into {@code p} (left as is: no prediction). */
    abstract void core(double[] row, Prediction p);

    /** The record's prediction and output values; the row holds the prepared inputs. */
    final Prediction predict(double[] row) {
        return predictInto(row, new Prediction());
    }

    /**
     * {@link #predict} into {@code p}, cleared first: an ensemble reads each segment's prediction before the
     * next, so one object serves all its segments (a hundred trees made a hundred objects an event).
     */
    final Prediction predictInto(double[] row, Prediction p) {
        p.clear();
        Expressions.apply(local, row);
        core(row, p);
        if (rescale != null && p.value == p.value) {
            p.value = rescale.apply(p.value);
        }
        if (p.outputs == null && computesOutputs) {
            Object[] values = new Object[outputs.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = outputs[i].value(p);
            }
            p.outputs = values;
        }
        if (chainSlots != null) {
            for (int i = 0; i < chainSlots.length; i++) {
                row[chainSlots[i]] = p.outputs[i] instanceof Number n ? n.doubleValue() : Double.NaN;
            }
        }
        return p;
    }

    /** The dataType of the predicted value: the target's for a classification, else double. */
    String predictedType() {
        return classification ? targetType : "double";
    }

    /** The class a document's value names, -1 when it names none. */
    int classIndex(String text) {
        Object typed = Field.typed(text, targetType);
        for (int i = 0; classes != null && i < classes.length; i++) {
            if (classes[i].equals(typed)) {
                return i;
            }
        }
        return -1;
    }

    /** PMML4S's default output fields: predicted_target, then for a classification probability and each class's. */
    Output[] predictedAndProbabilities() throws UnsupportedPmmlException {
        if (targetName == null) {
            throw new UnsupportedPmmlException(tag + " without an Output element or a target");
        }
        int n = classification ? classes.length + 2 : 1;
        Output[] out = new Output[n];
        out[0] = new Output("predicted_" + targetName, Output.Feature.PREDICTED, 0, true, classes);
        if (classification) {
            out[1] = new Output("probability", Output.Feature.PROBABILITY, -1, true, classes);
            for (int c = 0; c < classes.length; c++) {
                out[c + 2] = new Output("probability_" + classes[c], Output.Feature.PROBABILITY, c, true, classes);
            }
        }
        return out;
    }

    /** Whether the model outputs a probability of each class (a child of an averaging ensemble). */
    boolean[] probabilityOutputs() {
        boolean[] out = new boolean[classes.length];
        for (Output o : outputs) {
            if (o.feature == Output.Feature.PROBABILITY && o.category >= 0) {
                out[o.category] = true;
            }
        }
        return out;
    }
}
