package io.fraudscore.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** PMML is XML from outside: each kind of bad document gets one clear error, in the Python side's words. */
class PmmlLoaderTest {
    private static final String HEAD = "<PMML xmlns=\"http://www.dmg.org/PMML-4_4\" version=\"4.4\"><Header/>";
    private static final String DICTIONARY =
            "<DataDictionary><DataField name=\"x\" optype=\"continuous\" dataType=\"double\"/></DataDictionary>";
    private static final String MODEL = "<RegressionModel functionName=\"regression\"><MiningSchema>"
            + "<MiningField name=\"%s\"/></MiningSchema><RegressionTable intercept=\"1\">"
            + "<NumericPredictor name=\"%s\" coefficient=\"2\"/></RegressionTable></RegressionModel>";
    private static final String LAUGHS = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><PMML>&lol3;</PMML>""";

    static Stream<Arguments> badDocuments() {
        return Stream.of(
                Arguments.of("not XML", "this is not a model",
                        "PMML is not well-formed XML: line 1, column 1: Content is not allowed in prolog."),
                Arguments.of("a billion laughs", LAUGHS, SafePmmlReader.NO_DTD),
                Arguments.of("an external entity",
                        "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><PMML>&e;</PMML>",
                        SafePmmlReader.NO_DTD),
                Arguments.of("an external DTD",
                        "<!DOCTYPE PMML SYSTEM \"http://127.0.0.1:9/pmml.dtd\">" + HEAD + "</PMML>",
                        SafePmmlReader.NO_DTD),
                Arguments.of("an entity never declared", HEAD + "&e;</PMML>",
                        "PMML is not well-formed XML: line 1, column 69: The entity \"e\" was referenced, but not "
                                + "declared."),
                Arguments.of("the wrong namespace", "<PMML xmlns=\"http://example.com/pmml\"/>",
                        "not a PMML 4.x document (root element '{http://example.com/pmml}PMML')"),
                Arguments.of("no namespace", "<PMML version=\"4.4\"/>",
                        "not a PMML 4.x document (root element 'PMML')"),
                Arguments.of("no model", HEAD + DICTIONARY + "</PMML>", "PMML has no model element"),
                Arguments.of("a field used but never defined",
                        HEAD + DICTIONARY + MODEL.formatted("x", "amount") + "</PMML>",
                        "field 'amount' is used by <NumericPredictor> but never defined"),
                Arguments.of("a mining field not in the dictionary",
                        HEAD + DICTIONARY + MODEL.formatted("y", "x") + "</PMML>",
                        "mining fields not in the DataDictionary: y"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDocuments")
    void aBadDocumentIsRefusedWithItsReason(String name, String document, String message) {
        InvalidPmmlException refused = assertThrows(InvalidPmmlException.class,
                () -> PmmlLoader.load(document.getBytes(StandardCharsets.UTF_8), null));
        assertEquals(message, refused.getMessage());
    }

    @Test
    void anExternalEntityIsNeverRead(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "the secret");
        String document = "<?xml version=\"1.0\"?><!DOCTYPE PMML [<!ENTITY e SYSTEM \"" + secret.toUri() + "\">]>"
                + HEAD + DICTIONARY + "<Extension>&e;</Extension>" + MODEL.formatted("x", "x") + "</PMML>";
        InvalidPmmlException refused = assertThrows(InvalidPmmlException.class,
                () -> PmmlLoader.load(document.getBytes(StandardCharsets.UTF_8), null));
        assertEquals(SafePmmlReader.NO_DTD, refused.getMessage());
    }

    @Test
    void whatPmml4sCannotBuildIsRefusedInItsWords() {
        String document = HEAD + DICTIONARY + "<FooModel functionName=\"regression\"/></PMML>";
        InvalidPmmlException refused = assertThrows(InvalidPmmlException.class,
                () -> PmmlLoader.load(document.getBytes(StandardCharsets.UTF_8), null));
        assertTrue(refused.getMessage().startsWith("PMML4S cannot load the model: "), refused.getMessage());
    }

    @Test
    void aDocumentOverTheLimitIsRefusedBeforeItIsParsed() {
        byte[] huge = new byte[SafePmmlReader.MAX_PMML_BYTES + 1];
        InvalidPmmlException refused = assertThrows(InvalidPmmlException.class, () -> PmmlLoader.load(huge, null));
        assertEquals("PMML is 67108865 bytes; the limit is 67108864", refused.getMessage());
    }

    @Test
    void aScoreFieldMustBeAnOutput() {
        InvalidPmmlException refused = assertThrows(InvalidPmmlException.class,
                () -> PmmlLoader.load(Models.logistic(), "risk"));
        assertEquals("score field 'risk' is not an output of the model: [probability(0), probability(1)]",
                refused.getMessage());
    }
}
