package io.fraudscore.scoring.compiled;

import java.util.List;
import org.apache.commons.math3.special.Erf;
import org.apache.commons.math3.util.FastMath;
import org.w3c.dom.Element;

/**
 * RegressionModel: each RegressionTable a sum in document order (NaN when a numeric predictor is missing; a
 * categorical predictor adds its coefficient when the value matches, else nothing), then PMML4S's
 * normalization, including its quirks: a binary logit takes the table whose value is not 0.0 as the first class.
 */
final class Regression extends Model {
    private final Table[] tables;
    private final int[] categories; // each table's class
    private final String method;
    private final boolean binary;

    /** One RegressionTable over slots. */
    private record Table(double intercept, int[] numeric, double[] coefficients, int[] exponents, int[] categorical,
            double[] codes, double[] categoricalCoefficients) {
        double eval(double[] row) {
            double result = intercept;
            for (int i = 0; i < numeric.length; i++) {
                double x = row[numeric[i]];
                if (x != x) {
                    return Double.NaN;
                }
                result += exponents[i] == 1 ? x * coefficients[i] : FastMath.pow(x, exponents[i]) * coefficients[i];
            }
            for (int i = 0; i < categorical.length; i++) {
                result += row[categorical[i]] == codes[i] ? categoricalCoefficients[i] : 0.0;
            }
            return result;
        }
    }

    Regression(Element element, Scope scope, Model parent) throws UnsupportedPmmlException {
        super(element, scope, parent);
        List<Element> tableElements = Xml.children(element, "RegressionTable");
        method = Xml.attr(element, "normalizationMethod", "none");
        if (tableElements.isEmpty()) {
            throw new UnsupportedPmmlException("RegressionModel without a <RegressionTable>");
        }
        tables = new Table[tableElements.size()];
        categories = new int[tables.length];
        for (int t = 0; t < tables.length; t++) {
            Element table = tableElements.get(t);
            tables[t] = table(table, scope);
            if (classification) {
                String category = Xml.attr(table, "targetCategory");
                categories[t] = category == null ? -1 : classIndex(category);
                if (categories[t] < 0) {
                    throw new UnsupportedPmmlException("RegressionTable targetCategory '" + category
                            + "' is not a class of the target");
                }
                for (int u = 0; u < t; u++) {
                    if (categories[u] == categories[t]) {
                        throw new UnsupportedPmmlException("two RegressionTables of targetCategory '" + category + "'");
                    }
                }
            }
        }
        if (classification) {
            if (tables.length < 2) {
                throw new UnsupportedPmmlException("a classifying RegressionModel with one <RegressionTable>");
            }
            if (!List.of("softmax", "simplemax", "none", "logit", "probit", "cloglog", "cauchit", "loglog")
                    .contains(method)) {
                throw new UnsupportedPmmlException("classification normalizationMethod '" + method + "'");
            }
            binary = classes.length == 2;
        } else {
            if (!List.of("none", "softmax", "logit", "exp", "probit", "cloglog", "cauchit").contains(method)) {
                throw new UnsupportedPmmlException("regression normalizationMethod '" + method + "'");
            }
            binary = false;
        }
    }

    private static Table table(Element table, Scope scope) throws UnsupportedPmmlException {
        if (!Xml.children(table, "PredictorTerm").isEmpty()) {
            throw new UnsupportedPmmlException("<PredictorTerm>");
        }
        List<Element> numeric = Xml.children(table, "NumericPredictor");
        List<Element> categorical = Xml.children(table, "CategoricalPredictor");
        int[] slots = new int[numeric.size()];
        double[] coefficients = new double[slots.length];
        int[] exponents = new int[slots.length];
        for (int i = 0; i < slots.length; i++) {
            Element p = numeric.get(i);
            Field field = scope.use(Xml.attr(p, "name", ""), "NumericPredictor");
            if (field.categorical) {
                throw new UnsupportedPmmlException("NumericPredictor of the categorical field '" + field.name + "'");
            }
            slots[i] = field.slot;
            coefficients[i] = Xml.number(p, "coefficient", Double.NaN);
            String exponent = Xml.attr(p, "exponent", "1");
            try {
                exponents[i] = Integer.parseInt(exponent.strip());
            } catch (NumberFormatException e) {
                throw new UnsupportedPmmlException("NumericPredictor exponent '" + exponent + "'");
            }
        }
        int[] categoricalSlots = new int[categorical.size()];
        double[] codes = new double[categoricalSlots.length];
        double[] categoricalCoefficients = new double[categoricalSlots.length];
        for (int i = 0; i < categoricalSlots.length; i++) {
            Element p = categorical.get(i);
            Field field = scope.use(Xml.attr(p, "name", ""), "CategoricalPredictor");
            if (!field.categorical) {
                throw new UnsupportedPmmlException("CategoricalPredictor of the continuous field '" + field.name + "'");
            }
            categoricalSlots[i] = field.slot;
            codes[i] = Predicates.encode(field, Xml.attr(p, "value", ""));
            if (codes[i] != codes[i]) {
                throw new UnsupportedPmmlException("CategoricalPredictor value '" + Xml.attr(p, "value")
                        + "' not declared by the field '" + field.name + "'");
            }
            categoricalCoefficients[i] = Xml.number(p, "coefficient", Double.NaN);
        }
        return new Table(Xml.number(table, "intercept", 0), slots, coefficients, exponents, categoricalSlots, codes,
                categoricalCoefficients);
    }

    @Override
    Output[] defaultOutputs() throws UnsupportedPmmlException {
        return predictedAndProbabilities();
    }

    @Override
    void core(double[] row, Prediction p) {
        if (!classification) {
            double y = tables[0].eval(row);
            p.value = y != y ? Double.NaN : normalise(method, y);
            return;
        }
        int n = tables.length;
        double[] y = new double[n];
        for (int t = 0; t < n; t++) {
            y[t] = tables[t].eval(row);
            if (y[t] != y[t]) {
                p.probabilities = null; // PMML4S: no probabilities (its map is empty)
                return;
            }
        }
        int[] order = categories.clone(); // the classes in the order of PMML4S's pairs (its tie-break)
        double[] probability = new double[n];
        switch (method) {
            case "softmax": {
                double sum = 0;
                for (int t = 0; t < n; t++) {
                    probability[t] = Math.exp(y[t]);
                    sum += probability[t];
                }
                for (int t = 0; t < n; t++) {
                    probability[t] /= sum;
                }
                break;
            }
            case "simplemax": {
                double sum = 0;
                for (int t = 0; t < n; t++) {
                    sum += y[t];
                }
                for (int t = 0; t < n; t++) {
                    probability[t] = y[t] / sum;
                }
                break;
            }
            case "none": {
                if (binary) {
                    double p1 = y[0] < 0 ? 0.0 : y[0] > 1 ? 1.0 : y[0];
                    order = new int[] {categories[0], categories[n - 1]};
                    probability = new double[] {p1, 1.0 - p1};
                } else {
                    double sum = 0;
                    for (int t = 0; t < n - 1; t++) {
                        probability[t] = y[t];
                        sum += y[t];
                    }
                    probability[n - 1] = 1.0 - sum;
                }
                break;
            }
            default: { // logit (binary, two tables only), probit, cloglog, cauchit, loglog (binary)
                if (!binary || (method.equals("logit") && n != 2)) {
                    p.probabilities = null;
                    return;
                }
                int first = y[n - 1] == 0.0 ? 0 : n - 1;
                int second = first == 0 ? n - 1 : 0;
                double p1 = normalise(method, y[first]);
                order = new int[] {categories[first], categories[second]};
                probability = new double[] {p1, 1.0 - p1};
            }
        }
        double[] byClass = new double[classes.length];
        java.util.Arrays.fill(byClass, Double.NaN);
        int best = -1;
        for (int i = 0; i < order.length; i++) {
            byClass[order[i]] = probability[i];
            if (best < 0 || Double.compare(probability[i], byClass[best]) > 0) { // Scala's maxBy: NaN is greatest
                best = order[i];
            }
        }
        p.probabilities = byClass;
        p.value = best;
    }

    private static double normalise(String method, double y) {
        switch (method) {
            case "softmax":
            case "logit":
                return 1.0 / (1.0 + Math.exp(-y));
            case "exp":
                return Math.exp(y);
            case "probit":
                return y < -40 ? 0.0 : y > 40 ? 1.0 : 0.5 * Erf.erfc(-y / Math.sqrt(2)); // NormalDistribution's CDF
            case "cloglog":
                return 1.0 - Math.exp(-Math.exp(y));
            case "loglog":
                return Math.exp(-Math.exp(-y));
            case "cauchit":
                return 0.5 + (1 / Math.PI) * Math.atan(y);
            default:
                return y;
        }
    }
}
