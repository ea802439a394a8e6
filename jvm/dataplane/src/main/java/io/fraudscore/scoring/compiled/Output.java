package io.fraudscore.scoring.compiled;

import java.util.ArrayList;
import java.util.List;
import org.w3c.dom.Element;

/** One output field, as PMML4S's Model.result computes it from a {@link Prediction}. */
final class Output {
    enum Feature { PREDICTED, PROBABILITY, CONFIDENCE, NODE_ID }

    final String name;
    final Feature feature;
    final int category; // PROBABILITY: the class, -1 the predicted one, -2 one the model does not know
    final boolean isFinal;
    private final Object[] classes; // a classification's classes, to name its predicted value

    Output(String name, Feature feature, int category, boolean isFinal, Object[] classes) {
        this.name = name;
        this.feature = feature;
        this.category = category;
        this.isFinal = isFinal;
        this.classes = classes;
    }

    Object value(Prediction p) {
        switch (feature) {
            case PREDICTED:
                if (p.value != p.value) {
                    return null;
                }
                return classes == null ? (Object) p.value : classes[(int) p.value];
            case PROBABILITY: {
                if (p.probabilities == null) {
                    return null;
                }
                int c = category == -1 ? (p.value != p.value ? -2 : (int) p.value) : category;
                double probability = c < 0 ? Double.NaN : p.probabilities[c];
                return probability == probability ? (Object) probability : null;
            }
            case CONFIDENCE:
                return p.confidence == p.confidence ? (Object) p.confidence : null;
            default:
                return p.nodeId == null ? "" : p.nodeId; // PMML4S's entity id: "" when no node has one
        }
    }

    /** A model's Output element. */
    static Output[] of(Element output, Model model) throws UnsupportedPmmlException {
        List<Output> out = new ArrayList<>();
        for (Element field : Xml.children(output, "OutputField")) {
            String name = Xml.attr(field, "name", "");
            String feature = Xml.attr(field, "feature", "predictedValue");
            String dataType = Xml.attr(field, "dataType", "");
            boolean isFinal = !"false".equals(Xml.attr(field, "isFinalResult"));
            if (field.hasAttribute("segmentId") || !Xml.children(field).isEmpty()) {
                throw new UnsupportedPmmlException("OutputField '" + name + "' with a segmentId or an expression");
            }
            switch (feature) {
                case "predictedValue":
                    if (!dataType.equals(model.predictedType())) {
                        throw new UnsupportedPmmlException("OutputField '" + name + "' of dataType '" + dataType
                                + "' for a prediction of dataType '" + model.predictedType() + "'");
                    }
                    out.add(new Output(name, Feature.PREDICTED, 0, isFinal, model.classes));
                    break;
                case "probability": {
                    if (model.classes == null || !dataType.equals("double")) {
                        throw new UnsupportedPmmlException("OutputField '" + name
                                + "': a probability of a regression, or not a double");
                    }
                    String value = Xml.attr(field, "value");
                    int category = value == null ? -1 : model.classIndex(value);
                    out.add(new Output(name, Feature.PROBABILITY, category < 0 && value != null ? -2 : category,
                            isFinal, model.classes));
                    break;
                }
                default:
                    throw new UnsupportedPmmlException("OutputField '" + name + "' of feature '" + feature + "'");
            }
        }
        return out.toArray(new Output[0]);
    }
}
