package io.fraudscore.scoring.compiled;

import java.util.HashMap;
import java.util.Map;

/** The fields an element may refer to, each with its slot in the row; derived and chained fields get new ones. */
final class Scope {
    private final Map<String, Field> fields = new HashMap<>();
    private int slots;

    Field dataField(org.w3c.dom.Element element) {
        Field field = Field.of(element, slots++);
        fields.put(field.name, field);
        return field;
    }

    /** A new continuous field (a DerivedField, a chained model's output) that hides any of the same name. */
    Field define(String name, String dataType) {
        Field field = Field.continuous(name, dataType, slots++);
        fields.put(name, field);
        return field;
    }

    Field find(String name) {
        return fields.get(name);
    }

    /** The field an element reads, or why it cannot be read. */
    Field use(String name, String element) throws UnsupportedPmmlException {
        Field field = fields.get(name);
        if (field == null) {
            throw new UnsupportedPmmlException("<" + element + "> reads field '" + name + "', which is not in scope");
        }
        if (field.unsupported != null) {
            throw new UnsupportedPmmlException(field.unsupported);
        }
        return field;
    }

    int slots() {
        return slots;
    }
}
