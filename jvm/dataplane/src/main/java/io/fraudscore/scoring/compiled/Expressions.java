package io.fraudscore.scoring.compiled;

import java.util.List;
import org.w3c.dom.Element;

/**
 * The DerivedFields sklearn2pmml writes (a scaler's {@code (x - mean) / scale}): FieldRef, Constant and Apply of
 * + - * / over continuous values, in doubles with NaN for missing, as PMML4S's BinaryArithmetic computes them.
 */
final class Expressions {
    /** A compiled expression. */
    interface Expression {
        double eval(double[] row);
    }

    /** A DerivedField: the slot it fills and how. */
    record Derived(int slot, Expression expression) {}

    private Expressions() {}

    /** The DerivedFields of a LocalTransformations or TransformationDictionary, each defined in scope in turn. */
    static Derived[] derivedFields(Element parent, Scope scope) throws UnsupportedPmmlException {
        if (parent == null) {
            return new Derived[0];
        }
        if (!Xml.children(parent, "DefineFunction").isEmpty()) {
            throw new UnsupportedPmmlException("<DefineFunction>");
        }
        List<Element> fields = Xml.children(parent, "DerivedField");
        Derived[] out = new Derived[fields.size()];
        for (int i = 0; i < out.length; i++) {
            Element derived = fields.get(i);
            String name = Xml.attr(derived, "name", "");
            String dataType = Xml.attr(derived, "dataType", "");
            if (!dataType.equals("double") && !dataType.equals("float")) {
                throw new UnsupportedPmmlException("DerivedField '" + name + "' of dataType '" + dataType + "'");
            }
            if (!Xml.attr(derived, "optype", "continuous").equals("continuous")) {
                throw new UnsupportedPmmlException("DerivedField '" + name + "' of optype '"
                        + Xml.attr(derived, "optype") + "'");
            }
            List<Element> body = Xml.children(derived);
            body.removeIf(e -> e.getLocalName().equals("Value"));
            if (body.size() != 1) {
                throw new UnsupportedPmmlException("DerivedField '" + name + "' without one expression");
            }
            Expression expression = compile(body.get(0), scope);
            out[i] = new Derived(scope.define(name, dataType).slot, expression);
        }
        return out;
    }

    static void apply(Derived[] derived, double[] row) {
        for (Derived d : derived) {
            row[d.slot()] = d.expression().eval(row);
        }
    }

    private static Expression compile(Element element, Scope scope) throws UnsupportedPmmlException {
        String tag = element.getLocalName();
        switch (tag) {
            case "Constant": {
                String dataType = Xml.attr(element, "dataType", "double");
                if (element.hasAttribute("missing") || !List.of("double", "float", "integer").contains(dataType)) {
                    throw new UnsupportedPmmlException("<Constant> of dataType '" + dataType + "' or missing");
                }
                double value = Field.parseDouble(element.getTextContent().strip());
                if (value != value) {
                    throw new UnsupportedPmmlException("<Constant> that is no number");
                }
                return row -> value;
            }
            case "FieldRef": {
                if (element.hasAttribute("mapMissingTo")) {
                    throw new UnsupportedPmmlException("<FieldRef> with mapMissingTo");
                }
                Field field = scope.use(Xml.attr(element, "field", ""), "FieldRef");
                if (field.categorical) {
                    throw new UnsupportedPmmlException("<FieldRef> to the categorical field '" + field.name + "'");
                }
                int slot = field.slot;
                return row -> row[slot];
            }
            case "Apply":
                return apply(element, scope);
            default:
                throw new UnsupportedPmmlException("expression <" + tag + ">");
        }
    }

    private static Expression apply(Element element, Scope scope) throws UnsupportedPmmlException {
        String function = Xml.attr(element, "function", "");
        if (element.hasAttribute("mapMissingTo") || element.hasAttribute("defaultValue")) {
            throw new UnsupportedPmmlException("<Apply> with mapMissingTo or defaultValue");
        }
        List<Element> args = Xml.children(element);
        if (args.size() != 2 || !List.of("+", "-", "*", "/").contains(function)) {
            throw new UnsupportedPmmlException("<Apply> function '" + function + "' of " + args.size()
                    + " arguments");
        }
        Expression a = compile(args.get(0), scope);
        Expression b = compile(args.get(1), scope);
        switch (function) {
            case "+":
                return row -> a.eval(row) + b.eval(row);
            case "-":
                return row -> a.eval(row) - b.eval(row);
            case "*":
                return row -> a.eval(row) * b.eval(row);
            default:
                return row -> a.eval(row) / b.eval(row);
        }
    }
}
