package io.fraudscore.scoring.compiled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fraudscore.scoring.InvalidPmmlException;
import io.fraudscore.scoring.PmmlLoader;
import io.fraudscore.scoring.PmmlModel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What the compiled engine does not evaluate is refused in words naming it; PMML4S then scores, or nothing. */
class RefusalTest {
    private static final String TREE = Generated.tree("classification", "none", "returnNullPrediction",
            "<MiningSchema><MiningField name=\"label\" usageType=\"target\"/><MiningField name=\"amount\"/>"
                    + "<MiningField name=\"count\"/><MiningField name=\"ratio\"/><MiningField name=\"channel\"/>"
                    + "<MiningField name=\"tier\"/></MiningSchema>", "", true);

    static Stream<Arguments> cases() {
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("xor", new String[] {TREE.replace("booleanOperator=\"and\"", "booleanOperator=\"xor\""),
            "CompoundPredicate booleanOperator 'xor'"});
        cases.put("aggregateNodes", new String[] {TREE.replace("missingValueStrategy=\"none\"",
                "missingValueStrategy=\"aggregateNodes\""), "TreeModel missingValueStrategy 'aggregateNodes'"});
        cases.put("median", new String[] {Generated.ensemble("regression", "median", "risk", "returnMissing"),
            "regression Segmentation multipleModelMethod 'median'"});
        cases.put("outliers", new String[] {Generated.regression("regression", "none", "risk", false, "")
                .replace("<MiningField name=\"count\"/>", "<MiningField name=\"count\" outliers=\"asExtremeValues\" "
                        + "lowValue=\"0\" highValue=\"9\"/>"), "MiningField 'count' outliers 'asExtremeValues'"});
        cases.put("MapValues", new String[] {Generated.regression("regression", "none", "risk", false, "")
                .replace("<RegressionTable", "<LocalTransformations><DerivedField name=\"m\" optype=\"continuous\" "
                        + "dataType=\"double\"><MapValues outputColumn=\"out\"/></DerivedField>"
                        + "</LocalTransformations><RegressionTable"), "expression <MapValues>"});
        return cases.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()[0], e.getValue()[1]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusalsNameTheElement(String name, String model, String reason) throws InvalidPmmlException {
        byte[] pmml = document(model);
        UnsupportedPmmlException refused = assertThrows(UnsupportedPmmlException.class,
                () -> CompiledModel.compile(pmml));
        assertEquals(reason, refused.getMessage());
        InvalidPmmlException strict = assertThrows(InvalidPmmlException.class,
                () -> PmmlLoader.load(pmml, null, "compiled"));
        assertEquals("the compiled engine cannot score this model: " + reason, strict.getMessage());
        PmmlModel auto = PmmlLoader.load(pmml, null, "auto");
        assertEquals(PmmlLoader.PMML4S, auto.engine());
        assertEquals("not compiled: " + reason, auto.fallbackReason());
    }

    @Test
    void anotherModelElementIsNamed() {
        String naiveBayes = "<NaiveBayesModel functionName=\"classification\" threshold=\"0.001\"><MiningSchema>"
                + "<MiningField name=\"label\" usageType=\"target\"/><MiningField name=\"amount\"/></MiningSchema>"
                + "</NaiveBayesModel>";
        UnsupportedPmmlException refused = assertThrows(UnsupportedPmmlException.class,
                () -> CompiledModel.compile(document(naiveBayes)));
        assertEquals("model <NaiveBayesModel>", refused.getMessage());
    }

    @Test
    void pypmmlForcesPmml4s() throws InvalidPmmlException {
        PmmlModel model = PmmlLoader.load(document(TREE), null, "pypmml");
        assertEquals(PmmlLoader.PMML4S, model.engine());
        assertEquals(PmmlLoader.COMPILED, PmmlLoader.load(document(TREE), null, "auto").engine());
        InvalidPmmlException unknown = assertThrows(InvalidPmmlException.class,
                () -> PmmlLoader.load(document(TREE), null, "fast"));
        assertEquals("unknown engine 'fast'; use one of auto, compiled, pypmml", unknown.getMessage());
    }

    private static byte[] document(String model) {
        return (headOf() + model + "</PMML>").getBytes(StandardCharsets.UTF_8);
    }

    private static String headOf() {
        String all = new String(Generated.all().get("tree-none-returnNullPrediction"), StandardCharsets.UTF_8);
        return all.substring(0, all.indexOf("<TreeModel"));
    }
}
