package io.fraudscore.scoring;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads untrusted PMML once, as a stream, before PMML4S sees it: no DTD (so no entity of any kind, internal
 * or external), no external resource, bounded size, a PMML 4.x root, a model element, every field it uses
 * defined. PMML4S parses with a default {@code XMLInputFactory} (DTDs and external entities on), so nothing
 * reaches it that this reader has not accepted. The messages are pmml_engine.document's (the Python side),
 * so a model is refused in the same words at publish and at deploy.
 */
public final class SafePmmlReader {
    /** pmml_engine.document.MAX_PMML_BYTES. */
    public static final int MAX_PMML_BYTES = 64 * 1024 * 1024;
    static final String NO_DTD = "PMML must not declare a DTD or entities";
    private static final String NAMESPACE_PREFIX = "http://www.dmg.org/PMML-4_";
    private static final Map<String, String> REFERENCES = Map.of(
            "FieldRef", "field", "SimplePredicate", "field", "SimpleSetPredicate", "field",
            "NormContinuous", "field", "NormDiscrete", "field", "Discretize", "field",
            "NumericPredictor", "name", "CategoricalPredictor", "name", "FieldColumnPair", "field");
    private static final Set<String> DEFINITIONS = Set.of("DataField", "DerivedField", "OutputField",
            "ParameterField");
    private static final SAXParserFactory FACTORY = hardenedFactory();

    private SafePmmlReader() {}

    /** The document's schema, or the reason it is refused. */
    public static PmmlSchema read(byte[] pmml) throws InvalidPmmlException {
        if (pmml.length > MAX_PMML_BYTES) {
            throw new InvalidPmmlException("PMML is " + pmml.length + " bytes; the limit is " + MAX_PMML_BYTES);
        }
        Reading reading = new Reading();
        try {
            SAXParser parser = FACTORY.newSAXParser();
            parser.getXMLReader().setEntityResolver((publicId, systemId) -> {
                throw new SAXException(NO_DTD); // never reached with DTDs off; a second lock on the same door
            });
            parser.parse(new InputSource(new ByteArrayInputStream(pmml)), reading);
        } catch (Refused e) {
            throw new InvalidPmmlException(e.getMessage());
        } catch (SAXParseException e) {
            if (String.valueOf(e.getMessage()).contains("DOCTYPE")) {
                throw new InvalidPmmlException(NO_DTD);
            }
            throw new InvalidPmmlException("PMML is not well-formed XML: line " + e.getLineNumber() + ", column "
                    + e.getColumnNumber() + ": " + e.getMessage());
        } catch (SAXException | IOException | ParserConfigurationException e) {
            throw new InvalidPmmlException("PMML cannot be read: " + e.getMessage(), e);
        }
        return reading.schema();
    }

    private static SAXParserFactory hardenedFactory() {
        SAXParserFactory factory = SAXParserFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setValidating(false);
        factory.setXIncludeAware(false);
        try {
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("this JVM's XML parser cannot be hardened: " + e.getMessage(), e);
        }
        return factory;
    }

    /** A refusal found while reading (not an XML error). */
    private static final class Refused extends SAXException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** The handler: one pass, remembering only names. */
    private static final class Reading extends DefaultHandler {
        private final Deque<String> path = new ArrayDeque<>();
        private final Map<String, String> types = new LinkedHashMap<>();
        private final Map<String, List<String>> values = new LinkedHashMap<>();
        private final Set<String> defined = new HashSet<>();
        private final List<String[]> references = new ArrayList<>(); // {element, field}, in document order
        private final List<String> active = new ArrayList<>();
        private final List<String> outputs = new ArrayList<>();
        private String namespace;
        private String model;
        private String dataField;

        @Override
        public void startElement(String uri, String local, String qName, Attributes attributes) throws Refused {
            if (namespace == null) {
                if (!local.equals("PMML") || !uri.startsWith(NAMESPACE_PREFIX)) {
                    String tag = uri.isEmpty() ? local : "{" + uri + "}" + local;
                    throw new Refused("not a PMML 4.x document (root element '" + tag + "')");
                }
                namespace = uri;
            }
            int depth = path.size(); // the PMML element is at depth 0
            String parent = path.peek();
            path.push(local);
            if (!uri.equals(namespace)) {
                return; // an extension's element
            }
            if (DEFINITIONS.contains(local)) {
                defined.add(attributes.getValue("name"));
            }
            String attribute = REFERENCES.get(local);
            if (attribute != null) {
                references.add(new String[] {local, attributes.getValue(attribute)});
            }
            if (depth == 1 && model == null && isModel(local)) {
                model = local;
            } else if (depth == 2 && local.equals("DataField") && "DataDictionary".equals(parent)) {
                dataField = attributes.getValue("name");
                types.put(dataField, String.valueOf(attributes.getValue("dataType")));
                values.put(dataField, new ArrayList<>());
            } else if (depth == 3 && local.equals("Value") && dataField != null
                    && attributes.getValue("value") != null) {
                values.get(dataField).add(attributes.getValue("value"));
            } else if (depth == 3 && model != null && local.equals("MiningField") && "MiningSchema".equals(parent)) {
                String usage = attributes.getValue("usageType");
                if ((usage == null || usage.equals("active")) && attributes.getValue("name") != null) {
                    active.add(attributes.getValue("name"));
                }
            } else if (depth == 3 && model != null && local.equals("OutputField") && "Output".equals(parent)
                    && attributes.getValue("name") != null) {
                outputs.add(attributes.getValue("name"));
            }
        }

        @Override
        public void endElement(String uri, String local, String qName) {
            path.pop();
            if (path.size() == 2 && local.equals("DataField")) {
                dataField = null;
            }
        }

        PmmlSchema schema() throws InvalidPmmlException {
            for (String[] reference : references) {
                if (!defined.contains(reference[1])) {
                    throw new InvalidPmmlException("field '" + reference[1] + "' is used by <" + reference[0]
                            + "> but never defined");
                }
            }
            if (model == null) {
                throw new InvalidPmmlException("PMML has no model element");
            }
            List<String> unknown = active.stream().filter(name -> !types.containsKey(name)).toList();
            if (!unknown.isEmpty()) {
                throw new InvalidPmmlException("mining fields not in the DataDictionary: " + String.join(", ", unknown));
            }
            List<PmmlSchema.Input> inputs = active.stream()
                    .map(name -> new PmmlSchema.Input(name, types.get(name), values.get(name)))
                    .toList();
            return new PmmlSchema(model, inputs, outputs);
        }

        private static boolean isModel(String tag) {
            return tag.endsWith("Model") || tag.equals("Scorecard") || tag.equals("NeuralNetwork");
        }
    }
}
