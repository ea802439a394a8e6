package io.fraudscore.scoring.compiled;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Element;

/**
 * A field with a slot in the row of doubles a record becomes: a continuous number as itself (NaN: missing), a
 * categorical value as its position among the DataField's declared values (NaN: missing or undeclared), as
 * PMML4S encodes both for its predicates. Values convert as PMML4S converts a Java map's (Utils.toDataVal): a
 * float keeps double precision, an integer truncates, text that is no number is missing for a double and
 * Long.MIN_VALUE (not missing) for an integer.
 */
final class Field {
    final String name;
    final String dataType; // double, float, integer or string
    final boolean categorical;
    final Object[] values; // categorical: the declared values, typed
    private final Map<Object, Integer> codes;
    final int slot;
    String unsupported; // why the field cannot be compiled; null: it can

    private Field(String name, String dataType, boolean categorical, Object[] values, int slot) {
        this.name = name;
        this.dataType = dataType;
        this.categorical = categorical;
        this.values = values;
        this.slot = slot;
        this.codes = new HashMap<>();
        for (int i = 0; i < values.length; i++) {
            codes.putIfAbsent(values[i], i);
        }
    }

    static Field continuous(String name, String dataType, int slot) {
        return new Field(name, dataType, false, new Object[0], slot);
    }

    /** A DataField; {@link #unsupported} says why it cannot be compiled when it cannot (checked where it is used). */
    static Field of(Element dataField, int slot) {
        String name = Xml.attr(dataField, "name", "");
        String dataType = Xml.attr(dataField, "dataType", "");
        String optype = Xml.attr(dataField, "optype", "");
        String problem = null;
        Map<Object, Boolean> values = new LinkedHashMap<>();
        if (!List.of("double", "float", "integer", "string").contains(dataType)) {
            problem = "DataField '" + name + "' of dataType '" + dataType + "'";
        } else if (!Xml.children(dataField, "Interval").isEmpty()) {
            problem = "DataField '" + name + "' with an <Interval>";
        } else if (!optype.equals("continuous") && !optype.equals("categorical")) {
            problem = "DataField '" + name + "' of optype '" + optype + "'";
        }
        for (Element value : Xml.children(dataField, "Value")) {
            String property = Xml.attr(value, "property", "valid");
            Object typed = typed(Xml.attr(value, "value", ""), dataType);
            if (!property.equals("valid")) {
                problem = "DataField '" + name + "' with a <Value> of property '" + property + "'";
            } else if (typed == null) {
                problem = "DataField '" + name + "' with a <Value> that is no " + dataType;
            } else {
                values.put(typed, Boolean.TRUE);
            }
        }
        boolean categorical = optype.equals("categorical");
        if (problem == null && categorical && values.isEmpty()) {
            problem = "categorical DataField '" + name + "' without declared values";
        } else if (problem == null && !categorical && (!values.isEmpty() || dataType.equals("string"))) {
            problem = "continuous DataField '" + name + "' with declared values or of dataType string";
        }
        Field field = new Field(name, dataType, categorical, values.keySet().toArray(), slot);
        field.unsupported = problem;
        return field;
    }

    boolean declaresValues() {
        return values.length > 0;
    }

    /** A value of the document ("1", "web") as PMML4S types it (Utils.toDataVal(String, dataType)); null: none. */
    static Object typed(String text, String dataType) {
        switch (dataType) {
            case "integer":
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException e) {
                    double d = parseDouble(text);
                    return Double.isNaN(d) ? null : (Object) (long) d;
                }
            case "double":
            case "float":
                double d = parseDouble(text);
                return Double.isNaN(d) ? null : (Object) d;
            default:
                return text;
        }
    }

    /** An input value as PMML4S converts it for this field's dataType; null: missing. */
    Object convert(Object raw) {
        if (raw == null) {
            return null;
        }
        switch (dataType) {
            case "integer":
                return toLong(raw);
            case "double":
            case "float":
                double d = toDouble(raw);
                return Double.isNaN(d) ? null : (Object) d;
            default:
                return raw.toString();
        }
    }

    /** The row's double for a converted value (not null). */
    double encode(Object value) {
        if (categorical) {
            Integer code = codes.get(value);
            return code == null ? Double.NaN : code;
        }
        return ((Number) value).doubleValue();
    }

    /** Whether a converted value (not null) is one the field declares (always, for a field that declares none). */
    boolean valid(Object value) {
        return values.length == 0 || codes.containsKey(value);
    }

    static double toDouble(Object raw) {
        if (raw instanceof Double d) {
            return d;
        }
        if (raw instanceof Float || raw instanceof Long || raw instanceof Integer || raw instanceof Short
                || raw instanceof Byte) {
            return ((Number) raw).doubleValue();
        }
        if (raw instanceof String s) {
            return parseDouble(s);
        }
        return Double.NaN; // Boolean, BigDecimal, ...: PMML4S's Utils.toDouble gives NaN
    }

    static long toLong(Object raw) {
        if (raw instanceof Long || raw instanceof Integer || raw instanceof Short || raw instanceof Byte
                || raw instanceof Double || raw instanceof Float) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof String s) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                return Long.MIN_VALUE;
            }
        }
        return Long.MIN_VALUE;
    }

    /** commons-lang NumberUtils.toDouble(s, NaN), what PMML4S reads text with. */
    static double parseDouble(String s) {
        if (s == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
