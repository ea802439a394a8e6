package io.fraudscore.scoring.compiled;

import java.util.Arrays;
import java.util.List;
import org.w3c.dom.Element;

/**
 * MiningModel with a Segmentation, combined as PMML4S's MiningModel.predict combines it: a regression by sum,
 * average or weightedAverage of the segments' predicted values; a classification by majorityVote /
 * weightedMajorityVote (each class's votes over the number of segments that voted) or by average /
 * weightedAverage of the segments' probability outputs; a modelChain, each segment seeing the outputs of the
 * ones before and the last one's outputs being the model's (sklearn2pmml's boosted classifiers).
 */
final class Mining extends Model {
    private static final List<String> REGRESSION = List.of("sum", "average", "weightedAverage");
    private static final List<String> CLASSIFICATION = List.of("majorityVote", "weightedMajorityVote", "average",
            "weightedAverage");

    private final String method;
    private final Predicates.Predicate[] predicates;
    private final double[] weights;
    private final Model[] models;
    private final boolean returnMissing;
    private final boolean[][] probabilityOutputs; // averaging classification: which classes each segment outputs

    Mining(Element element, Scope scope, Model parent) throws UnsupportedPmmlException {
        super(element, scope, parent);
        Element segmentation = Xml.child(element, "Segmentation");
        if (segmentation == null) {
            throw new UnsupportedPmmlException("MiningModel without a <Segmentation>");
        }
        method = Xml.attr(segmentation, "multipleModelMethod", "");
        String onMissing = Xml.attr(segmentation, "missingPredictionTreatment", "continue");
        boolean chain = method.equals("modelChain");
        if (!chain && !(classification ? CLASSIFICATION : REGRESSION).contains(method)) {
            throw new UnsupportedPmmlException((classification ? "classification" : "regression")
                    + " Segmentation multipleModelMethod '" + method + "'");
        }
        returnMissing = onMissing.equals("returnMissing");
        if (!chain && !returnMissing && (classification || !onMissing.equals("continue"))) {
            throw new UnsupportedPmmlException("Segmentation missingPredictionTreatment '" + onMissing + "'");
        }
        if (classification && !chain && classes.length > 4) {
            throw new UnsupportedPmmlException("a " + method + " of " + classes.length
                    + " classes (PMML4S breaks ties in hash order)");
        }
        List<Element> segments = Xml.children(segmentation, "Segment");
        if (segments.isEmpty()) {
            throw new UnsupportedPmmlException("a <Segmentation> without segments");
        }
        predicates = new Predicates.Predicate[segments.size()];
        weights = new double[segments.size()];
        models = new Model[segments.size()];
        probabilityOutputs = new boolean[segments.size()][];
        for (int i = 0; i < models.length; i++) {
            Element segment = segments.get(i);
            predicates[i] = Predicates.of(segment, scope);
            weights[i] = Xml.number(segment, "weight", 1.0);
            Element modelElement = Xml.children(segment).stream().filter(e -> Xml.isModel(e.getLocalName()))
                    .findFirst().orElseThrow(() -> new UnsupportedPmmlException("a <Segment> without a model"));
            if (chain && Xml.child(segment, "True") == null) {
                throw new UnsupportedPmmlException("a modelChain <Segment> whose predicate is not <True>");
            }
            models[i] = Model.build(modelElement, scope, this);
            Model model = models[i];
            if (chain) {
                model.chainSlots = new int[model.outputs.length];
                for (int o = 0; o < model.outputs.length; o++) {
                    model.chainSlots[o] = scope.define(model.outputs[o].name, "double").slot;
                }
                if (i < models.length - 1 && model.classification && !model.predictedType().equals("integer")) {
                    throw new UnsupportedPmmlException("a modelChain segment before the last predicting text");
                }
            } else {
                model.computesOutputs = false;
            }
            if (!chain && (model.classification != classification
                    || (classification && !Arrays.equals(model.classes, classes)))) {
                throw new UnsupportedPmmlException("a " + model.tag + " segment of another function than its "
                        + "MiningModel");
            } else if (classification && (method.equals("average") || method.equals("weightedAverage"))) {
                probabilityOutputs[i] = model.probabilityOutputs();
            }
        }
        if (chain && Xml.child(element, "Output") != null) {
            throw new UnsupportedPmmlException("a modelChain MiningModel with an <Output> of its own");
        }
    }

    @Override
    Output[] defaultOutputs() throws UnsupportedPmmlException {
        if (method.equals("modelChain")) {
            return models[models.length - 1].outputs; // PMML4S: the last segment's output fields
        }
        return predictedAndProbabilities();
    }

    @Override
    void core(double[] row, Prediction p) {
        if (method.equals("modelChain")) {
            Prediction last = null;
            for (Model model : models) {
                last = model.predict(row);
            }
            p.value = last.value;
            p.probabilities = last.probabilities;
            p.outputs = last.outputs;
            return;
        }
        if (classification && (method.equals("average") || method.equals("weightedAverage"))) {
            average(row, p);
            return;
        }
        int selected = 0;
        double sum = 0;
        double product = 0;
        double weightSum = 0;
        double[] votes = classification ? new double[classes.length] : null;
        Prediction child = new Prediction();
        for (int i = 0; i < models.length; i++) {
            if (!Predicates.fires(predicates[i].eval(row))) {
                continue;
            }
            selected++;
            double value = models[i].predictInto(row, child).value;
            if (value != value && returnMissing) {
                return;
            }
            double weight = method.startsWith("weighted") ? weights[i] : 1.0;
            if (classification) {
                votes[(int) value] += weight;
            } else {
                sum += value;
                product += value * weight;
                weightSum += weight;
            }
        }
        if (selected == 0) {
            return;
        }
        if (!classification) {
            p.value = switch (method) {
                case "sum" -> sum;
                case "average" -> sum / selected;
                default -> product / weightSum;
            };
            return;
        }
        for (int c = 0; c < votes.length; c++) {
            votes[c] /= selected;
        }
        choose(votes, p);
    }

    private void average(double[] row, Prediction p) {
        int n = classes.length;
        double[] sums = new double[n];
        double weightSum = 0;
        int selected = 0;
        boolean weighted = method.equals("weightedAverage");
        Prediction child = new Prediction();
        for (int i = 0; i < models.length; i++) {
            if (!Predicates.fires(predicates[i].eval(row))) {
                continue;
            }
            selected++;
            models[i].predictInto(row, child);
            double weight = weighted ? weights[i] : 1.0;
            weightSum += weight;
            for (int c = 0; c < n; c++) {
                double probability = probabilityOutputs[i][c] && child.probabilities != null
                        ? child.probabilities[c] : Double.NaN;
                if (probability != probability) {
                    return; // returnMissing
                }
                sums[c] += weighted ? probability * weight : probability;
            }
        }
        if (selected == 0) {
            return;
        }
        for (int c = 0; c < n; c++) {
            sums[c] = weighted ? sums[c] / weightSum : sums[c] / selected;
        }
        choose(sums, p);
    }

    /** The probabilities, and the first class of the highest (PMML4S's maxBy over a map of at most 4 classes). */
    private static void choose(double[] probabilities, Prediction p) {
        int best = 0;
        for (int c = 1; c < probabilities.length; c++) {
            if (Double.compare(probabilities[c], probabilities[best]) > 0) { // Scala's maxBy: NaN is greatest
                best = c;
            }
        }
        p.probabilities = Arrays.copyOf(probabilities, probabilities.length);
        p.value = best;
    }
}
