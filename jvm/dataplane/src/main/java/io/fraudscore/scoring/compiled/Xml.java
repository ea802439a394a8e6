package io.fraudscore.scoring.compiled;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * The PMML document as a DOM, parsed hardened (no DTD, no entity, no external resource; SafePmmlReader has
 * already refused those), and the few element helpers the builders share. Extension elements and elements of
 * other namespaces are skipped.
 */
final class Xml {
    private static final DocumentBuilderFactory FACTORY = hardened();

    private Xml() {}

    static Element parse(byte[] pmml) throws UnsupportedPmmlException {
        try {
            DocumentBuilder builder = FACTORY.newDocumentBuilder();
            builder.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("PMML must not declare a DTD or entities");
            });
            builder.setErrorHandler(null);
            Document document = builder.parse(new InputSource(new ByteArrayInputStream(pmml)));
            return document.getDocumentElement();
        } catch (SAXException | IOException | ParserConfigurationException e) {
            throw new UnsupportedPmmlException("the document cannot be parsed: " + e.getMessage());
        }
    }

    private static DocumentBuilderFactory hardened() {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setValidating(false);
        factory.setXIncludeAware(false);
        factory.setExpandEntityReferences(false);
        try {
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        } catch (ParserConfigurationException | IllegalArgumentException e) {
            throw new IllegalStateException("this JVM's XML parser cannot be hardened: " + e.getMessage(), e);
        }
        return factory;
    }

    /** The element's PMML children (no Extension, nothing of another namespace), in order. */
    static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        String namespace = parent.getNamespaceURI();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && java.util.Objects.equals(e.getNamespaceURI(), namespace)
                    && !e.getLocalName().equals("Extension")) {
                out.add(e);
            }
        }
        return out;
    }

    static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (Element e : children(parent)) {
            if (e.getLocalName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }

    static Element child(Element parent, String tag) {
        for (Element e : children(parent)) {
            if (e.getLocalName().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    /** The attribute, or {@code otherwise} when absent. */
    static String attr(Element e, String name, String otherwise) {
        return e.hasAttribute(name) ? e.getAttribute(name) : otherwise;
    }

    static String attr(Element e, String name) {
        return e.hasAttribute(name) ? e.getAttribute(name) : null;
    }

    static double number(Element e, String name, double otherwise) throws UnsupportedPmmlException {
        String text = attr(e, name);
        if (text == null) {
            return otherwise;
        }
        try {
            return Double.parseDouble(text.strip());
        } catch (NumberFormatException ex) {
            throw new UnsupportedPmmlException("<" + e.getLocalName() + "> " + name + "='" + text + "' is not a number");
        }
    }

    static boolean isModel(String tag) {
        return tag.endsWith("Model") || tag.equals("Scorecard") || tag.equals("NeuralNetwork");
    }

    /** PMML Array text: white-space separated, double quotes around values with spaces. */
    static List<String> arrayValues(String text) {
        List<String> values = new ArrayList<>();
        int i = 0;
        String s = text.strip();
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"') {
                int end = i + 1;
                StringBuilder value = new StringBuilder();
                while (end < s.length() && s.charAt(end) != '"') {
                    if (s.charAt(end) == '\\' && end + 1 < s.length() && s.charAt(end + 1) == '"') {
                        end++;
                    }
                    value.append(s.charAt(end));
                    end++;
                }
                values.add(value.toString());
                i = end + 1;
            } else {
                int end = i;
                while (end < s.length() && !Character.isWhitespace(s.charAt(end))) {
                    end++;
                }
                values.add(s.substring(i, end));
                i = end;
            }
        }
        return values;
    }
}
