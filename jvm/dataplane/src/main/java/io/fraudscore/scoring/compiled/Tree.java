package io.fraudscore.scoring.compiled;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.util.FastMath;
import org.w3c.dom.Element;

/**
 * TreeModel, walked as PMML4S's TreeModel.predict walks it: the root's predicate is not tested; the first child
 * whose predicate holds (or holds by a surrogate) is taken; when none holds and one was unknown, the
 * missingValueStrategy decides (lastPrediction, nullPrediction, defaultChild, none), and then, with no child
 * chosen, noTrueChildStrategy (so nullPrediction with returnLastPrediction gives the last node's score).
 */
final class Tree extends Model {
    private static final int NONE = 0;
    private static final int LAST_PREDICTION = 1;
    private static final int NULL_PREDICTION = 2;
    private static final int DEFAULT_CHILD = 3;

    private final Node root;
    private final int missingStrategy;
    private final boolean returnLast;
    private final double penalty;
    private final Node firstLeaf;
    private final Element element;

    /** One node: its predicate, children, score and, for a classification, class probabilities and confidences. */
    static final class Node {
        Predicates.Predicate predicate;
        int slot = -1; // a SimplePredicate comparing a field: tested inline (slot, operator, value), not called
        int operator;
        double value;
        Node[] children;
        double score = Double.NaN; // a value, or a class index
        double[] probabilities; // per class, NaN where the node has none; null: no ScoreDistribution
        double[] confidences;
        String id;
        String defaultChildId;
        Node defaultChild;
        List<Integer> distributionOrder = new ArrayList<>(); // classes in ScoreDistribution order
        boolean firstHasProbability;
        boolean firstHasConfidence;
    }

    Tree(Element element, Scope scope, Model parent) throws UnsupportedPmmlException {
        super(element, scope, parent);
        this.element = element;
        String missing = Xml.attr(element, "missingValueStrategy", "none");
        switch (missing) {
            case "none" -> missingStrategy = NONE;
            case "lastPrediction" -> missingStrategy = LAST_PREDICTION;
            case "nullPrediction" -> missingStrategy = NULL_PREDICTION;
            case "defaultChild" -> missingStrategy = DEFAULT_CHILD;
            default -> throw new UnsupportedPmmlException("TreeModel missingValueStrategy '" + missing + "'");
        }
        String noTrueChild = Xml.attr(element, "noTrueChildStrategy", "returnNullPrediction");
        if (!noTrueChild.equals("returnNullPrediction") && !noTrueChild.equals("returnLastPrediction")) {
            throw new UnsupportedPmmlException("TreeModel noTrueChildStrategy '" + noTrueChild + "'");
        }
        returnLast = noTrueChild.equals("returnLastPrediction");
        penalty = Xml.number(element, "missingValuePenalty", 1.0);
        Element rootElement = Xml.child(element, "Node");
        if (rootElement == null) {
            throw new UnsupportedPmmlException("TreeModel without a <Node>");
        }
        root = node(rootElement, scope);
        Node leaf = root;
        while (leaf.children.length > 0) {
            leaf = leaf.children[0];
        }
        firstLeaf = leaf;
    }

    private Node node(Element element, Scope scope) throws UnsupportedPmmlException {
        Node node = new Node();
        node.predicate = Predicates.of(element, scope);
        inline(node, element, scope);
        node.id = Xml.attr(element, "id");
        node.defaultChildId = Xml.attr(element, "defaultChild");
        if (!Xml.children(element, "Partition").isEmpty() || Xml.children(element).stream()
                .anyMatch(e -> Xml.isModel(e.getLocalName()) || e.getLocalName().equals("EmbeddedModel"))) {
            throw new UnsupportedPmmlException("a Node with an embedded model or a <Partition>");
        }
        String score = Xml.attr(element, "score");
        if (score != null) {
            if (classification) {
                node.score = classIndex(score);
                if (node.score < 0) {
                    throw new UnsupportedPmmlException("Node score '" + score + "' is not a class of the target");
                }
            } else {
                node.score = Field.parseDouble(score);
                if (node.score != node.score) {
                    throw new UnsupportedPmmlException("Node score '" + score + "' of a regression is no number");
                }
            }
        }
        List<Element> distributions = Xml.children(element, "ScoreDistribution");
        if (!distributions.isEmpty()) {
            if (!classification) {
                throw new UnsupportedPmmlException("<ScoreDistribution> in a regression tree");
            }
            distribution(node, distributions);
        }
        List<Element> childElements = Xml.children(element, "Node");
        node.children = new Node[childElements.size()];
        for (int i = 0; i < node.children.length; i++) {
            node.children[i] = node(childElements.get(i), scope);
        }
        if (node.defaultChildId != null) {
            node.defaultChild = Arrays.stream(node.children).filter(c -> node.defaultChildId.equals(c.id)).findFirst()
                    .orElse(null);
        }
        return node;
    }

    /** PMML4S's ScoreDistributions: a probability as given, else recordCount / total when the total is positive. */
    private void distribution(Node node, List<Element> distributions) throws UnsupportedPmmlException {
        double total = 0;
        int n = distributions.size();
        int[] cls = new int[n];
        double[] counts = new double[n];
        for (int i = 0; i < n; i++) {
            Element d = distributions.get(i);
            cls[i] = classIndex(Xml.attr(d, "value", ""));
            if (cls[i] < 0) {
                throw new UnsupportedPmmlException("ScoreDistribution value '" + Xml.attr(d, "value")
                        + "' is not a class of the target");
            }
            if (!d.hasAttribute("recordCount")) {
                throw new UnsupportedPmmlException("ScoreDistribution without a recordCount");
            }
            counts[i] = Xml.number(d, "recordCount", 0);
            total += counts[i];
        }
        node.probabilities = new double[classes.length];
        node.confidences = new double[classes.length];
        Arrays.fill(node.probabilities, Double.NaN);
        Arrays.fill(node.confidences, Double.NaN);
        for (int i = 0; i < n; i++) {
            Element d = distributions.get(i);
            double given = Xml.number(d, "probability", Double.NaN);
            boolean hasProbability = d.hasAttribute("probability") || total > 0.0;
            node.probabilities[cls[i]] = d.hasAttribute("probability") ? given : total > 0.0 ? counts[i] / total
                    : Double.NaN;
            node.confidences[cls[i]] = Xml.number(d, "confidence", Double.NaN);
            if (!node.distributionOrder.contains(cls[i])) {
                node.distributionOrder.add(cls[i]);
            }
            if (i == 0) {
                node.firstHasProbability = hasProbability;
                node.firstHasConfidence = d.hasAttribute("confidence");
            }
        }
        if (node.distributionOrder.size() > 4) {
            throw new UnsupportedPmmlException("a ScoreDistribution of more than 4 classes (PMML4S orders them by hash)");
        }
    }

    private static final List<String> OPERATORS = List.of("lessOrEqual", "lessThan", "greaterThan", "greaterOrEqual",
            "equal", "notEqual");

    /** A comparison of a continuous field, the common predicate of forests, is tested without a call. */
    private static void inline(Node node, Element element, Scope scope) {
        Element simple = Xml.child(element, "SimplePredicate");
        if (simple == null) {
            return;
        }
        Field field = scope.find(Xml.attr(simple, "field", ""));
        int operator = OPERATORS.indexOf(Xml.attr(simple, "operator", ""));
        if (field == null || field.categorical || operator < 0 || !simple.hasAttribute("value")) {
            return;
        }
        node.slot = field.slot;
        node.operator = operator;
        node.value = Field.parseDouble(Xml.attr(simple, "value"));
    }

    private static int compare(Node node, double v) {
        if (v != v) {
            return Predicates.UNKNOWN;
        }
        double value = node.value;
        boolean holds = switch (node.operator) {
            case 0 -> v <= value;
            case 1 -> v < value;
            case 2 -> v > value;
            case 3 -> v >= value;
            case 4 -> v == value;
            default -> v != value;
        };
        return holds ? Predicates.TRUE : Predicates.FALSE;
    }

    @Override
    Output[] defaultOutputs() throws UnsupportedPmmlException {
        if (targetName == null && !classification) {
            throw new UnsupportedPmmlException("TreeModel without an Output element or a target");
        }
        List<Output> out = new ArrayList<>();
        out.add(new Output("predicted_" + targetName, Output.Feature.PREDICTED, 0, true, classes));
        if (classification && firstLeaf.probabilities != null) {
            if (firstLeaf.firstHasConfidence) {
                out.add(new Output("confidence", Output.Feature.CONFIDENCE, 0, true, classes));
            }
            if (firstLeaf.firstHasProbability) {
                out.add(new Output("probability", Output.Feature.PROBABILITY, -1, true, classes));
                for (int c : ownClasses()) {
                    out.add(new Output("probability_" + classes[c], Output.Feature.PROBABILITY, c, true, classes));
                }
            }
        }
        if (firstLeaf.id != null) {
            out.add(new Output("node_id", Output.Feature.NODE_ID, 0, true, classes));
        }
        return out.toArray(new Output[0]);
    }

    /** PMML4S's classes of this tree: its target's, else its first leaf's ScoreDistribution's. */
    private List<Integer> ownClasses() {
        boolean ownTarget = false;
        Element schema = Xml.child(element, "MiningSchema");
        for (Element field : Xml.children(schema, "MiningField")) {
            String usage = Xml.attr(field, "usageType", "active");
            ownTarget |= usage.equals("target") || usage.equals("predicted");
        }
        if (ownTarget) {
            List<Integer> all = new ArrayList<>();
            for (int c = 0; c < classes.length; c++) {
                all.add(c);
            }
            return all;
        }
        return firstLeaf.distributionOrder;
    }

    @Override
    void core(double[] row, Prediction p) {
        Node node = leaf(row, p);
        if (node == null) {
            return;
        }
        p.value = node.score;
        p.nodeId = node.id;
        if (classification) {
            p.probabilities = node.probabilities == null ? null : node.probabilities;
            int c = node.score != node.score ? -1 : (int) node.score;
            double factor = p.confidence; // the missing-value penalty leaf() left, NaN: none
            p.confidence = c < 0 || node.confidences == null ? Double.NaN : node.confidences[c];
            if (factor == factor) {
                p.confidence *= factor;
            }
        }
    }

    /** The node the record ends at, null: none; the penalty for missing values goes into the confidence. */
    private Node leaf(double[] row, Prediction p) {
        Node finalNode = root.children.length == 0 ? root : null;
        Node selected = root;
        int missingCount = 0;
        boolean done = false;
        while (!done && selected.children.length > 0) {
            Node child = null;
            int r = Predicates.FALSE;
            boolean unknown = false;
            for (Node c : selected.children) {
                int v = c.slot >= 0 ? compare(c, row[c.slot]) : c.predicate.eval(row);
                if (v == Predicates.TRUE || v == Predicates.SURROGATE) {
                    child = c;
                    r = v;
                    break;
                }
                unknown |= v == Predicates.UNKNOWN;
            }
            if (child == null) {
                r = unknown ? Predicates.UNKNOWN : Predicates.FALSE;
            }
            if (r == Predicates.SURROGATE) {
                missingCount++;
            }
            if (r == Predicates.UNKNOWN) {
                switch (missingStrategy) {
                    case LAST_PREDICTION -> {
                        finalNode = selected;
                        done = true;
                    }
                    case NULL_PREDICTION -> done = true;
                    case DEFAULT_CHILD -> {
                        child = selected.defaultChild;
                        missingCount++;
                    }
                    default -> { }
                }
            }
            if (child == null) {
                if (returnLast) {
                    finalNode = selected;
                }
                done = true;
            } else {
                selected = child;
                if (selected.children.length == 0) {
                    finalNode = selected;
                }
            }
        }
        if (finalNode != null && classification && missingCount > 0 && penalty != 1.0) {
            p.confidence = FastMath.pow(penalty, missingCount); // core multiplies the confidence by it
        }
        return finalNode;
    }
}
