package io.fraudscore.scoring.compiled;

import java.util.Arrays;
import java.util.List;
import org.w3c.dom.Element;

/**
 * PMML predicates over the row, with PMML4S's three (four) outcomes: a field that is missing, or categorical
 * and undeclared, makes a comparison UNKNOWN; a surrogate that held on a later alternative is SURROGATE.
 */
final class Predicates {
    static final int FALSE = 0;
    static final int TRUE = 1;
    static final int UNKNOWN = 2;
    static final int SURROGATE = 3;

    /** A compiled predicate. */
    interface Predicate {
        int eval(double[] row);
    }

    static final Predicate ALWAYS = row -> TRUE;
    static final Predicate NEVER = row -> FALSE;

    private Predicates() {}

    static boolean fires(int outcome) {
        return outcome == TRUE || outcome == SURROGATE;
    }

    static Predicate compile(Element element, Scope scope) throws UnsupportedPmmlException {
        String tag = element.getLocalName();
        switch (tag) {
            case "True":
                return ALWAYS;
            case "False":
                return NEVER;
            case "SimplePredicate":
                return simple(element, scope);
            case "SimpleSetPredicate":
                return set(element, scope);
            case "CompoundPredicate":
                return compound(element, scope);
            default:
                throw new UnsupportedPmmlException("predicate <" + tag + ">");
        }
    }

    /** The predicate among an element's children (a Node's, a Segment's). */
    static Predicate of(Element parent, Scope scope) throws UnsupportedPmmlException {
        for (Element child : Xml.children(parent)) {
            String tag = child.getLocalName();
            if (List.of("True", "False", "SimplePredicate", "SimpleSetPredicate", "CompoundPredicate").contains(tag)) {
                return compile(child, scope);
            }
            if (!tag.equals("Node") && !tag.equals("ScoreDistribution") && !Xml.isModel(tag)
                    && !tag.equals("Partition")) {
                throw new UnsupportedPmmlException("predicate <" + tag + ">");
            }
        }
        throw new UnsupportedPmmlException("<" + parent.getLocalName() + "> without a predicate");
    }

    /** A value of the document as the field's predicates compare it (PMML4S's Builder.makePredicate). */
    static double encode(Field field, String text) {
        if (!field.categorical) {
            return field.dataType.equals("integer") ? integer(text) : Field.parseDouble(text);
        }
        Object typed = Field.typed(text, field.dataType);
        return typed == null ? Double.NaN : field.encode(typed);
    }

    private static double integer(String text) {
        Object typed = Field.typed(text, "integer");
        return typed == null ? Double.NaN : ((Long) typed).doubleValue();
    }

    private static Predicate simple(Element element, Scope scope) throws UnsupportedPmmlException {
        Field field = scope.use(Xml.attr(element, "field", ""), "SimplePredicate");
        int slot = field.slot;
        String operator = Xml.attr(element, "operator", "");
        String text = Xml.attr(element, "value");
        double value = text == null ? Double.NaN : (field.categorical ? encode(field, text) : Field.parseDouble(text));
        switch (operator) {
            case "lessOrEqual":
                return row -> {
                    double v = row[slot];
                    return v != v ? UNKNOWN : v <= value ? TRUE : FALSE;
                };
            case "lessThan":
                return row -> {
                    double v = row[slot];
                    return v != v ? UNKNOWN : v < value ? TRUE : FALSE;
                };
            case "greaterThan":
                return row -> {
                    double v = row[slot];
                    return v != v ? UNKNOWN : v > value ? TRUE : FALSE;
                };
            case "greaterOrEqual":
                return row -> {
                    double v = row[slot];
                    return v != v ? UNKNOWN : v >= value ? TRUE : FALSE;
                };
            case "equal":
                return row -> {
                    double v = row[slot];
                    return v != v ? UNKNOWN : v == value ? TRUE : FALSE;
                };
            case "notEqual":
                return row -> {
                    double v = row[slot];
                    return v != v ? UNKNOWN : v != value ? TRUE : FALSE;
                };
            case "isMissing":
                return row -> row[slot] != row[slot] ? TRUE : FALSE;
            case "isNotMissing":
                return row -> row[slot] == row[slot] ? TRUE : FALSE;
            default:
                throw new UnsupportedPmmlException("SimplePredicate operator '" + operator + "'");
        }
    }

    private static Predicate set(Element element, Scope scope) throws UnsupportedPmmlException {
        Field field = scope.use(Xml.attr(element, "field", ""), "SimpleSetPredicate");
        int slot = field.slot;
        Element array = Xml.child(element, "Array");
        if (array == null) {
            throw new UnsupportedPmmlException("SimpleSetPredicate without an <Array>");
        }
        double[] members = Xml.arrayValues(array.getTextContent()).stream()
                .mapToDouble(text -> field.categorical ? encode(field, text) : typedNumber(field, text))
                .filter(v -> v == v).distinct().sorted().toArray();
        String operator = Xml.attr(element, "booleanOperator", "");
        boolean in = operator.equals("isIn");
        if (!in && !operator.equals("isNotIn")) {
            throw new UnsupportedPmmlException("SimpleSetPredicate booleanOperator '" + operator + "'");
        }
        return row -> {
            double v = row[slot];
            if (v != v) {
                return UNKNOWN;
            }
            return (Arrays.binarySearch(members, v) >= 0) == in ? TRUE : FALSE;
        };
    }

    private static double typedNumber(Field field, String text) {
        Object typed = Field.typed(text, field.dataType);
        return typed instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static Predicate compound(Element element, Scope scope) throws UnsupportedPmmlException {
        String operator = Xml.attr(element, "booleanOperator", "");
        List<Element> childElements = Xml.children(element);
        Predicate[] parts = new Predicate[childElements.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = compile(childElements.get(i), scope);
        }
        switch (operator) {
            case "and":
                return row -> {
                    boolean unknown = false;
                    for (Predicate p : parts) {
                        int r = p.eval(row);
                        if (r == FALSE) {
                            return FALSE;
                        }
                        unknown |= r == UNKNOWN;
                    }
                    return unknown ? UNKNOWN : TRUE;
                };
            case "or":
                return row -> {
                    boolean unknown = false;
                    for (Predicate p : parts) {
                        int r = p.eval(row);
                        if (r == TRUE) {
                            return TRUE;
                        }
                        unknown |= r == UNKNOWN;
                    }
                    return unknown ? UNKNOWN : FALSE;
                };
            case "surrogate":
                return row -> {
                    boolean later = false;
                    for (Predicate p : parts) {
                        int r = p.eval(row);
                        if (r != UNKNOWN) {
                            return r == TRUE ? (later ? SURROGATE : TRUE) : r;
                        }
                        later = true;
                    }
                    return UNKNOWN;
                };
            default: // xor: PMML4S 1.5.8 never evaluates its children (a loop bug), so no answer of ours would match
                throw new UnsupportedPmmlException("CompoundPredicate booleanOperator '" + operator + "'");
        }
    }
}
