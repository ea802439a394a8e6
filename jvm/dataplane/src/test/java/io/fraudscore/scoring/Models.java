package io.fraudscore.scoring;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** PMML for the tests: the logistic regression in resources/scoring, and forests of any size built here. */
final class Models {
    private Models() {}

    static byte[] logistic() {
        try (InputStream in = Models.class.getResourceAsStream("/scoring/logistic.pmml")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A sum of {@code trees} trees of depth 8 on the amount (tests/scoring_job's large_versioned_model: 430
     * make 20 MB) scoring exactly 1000 x {@code version}: a first tree of one leaf, then trees of zeros.
     */
    static byte[] forest(int version, int trees) {
        Random random = new Random(version);
        StringBuilder pmml = new StringBuilder("""
                <PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/><DataDictionary>
                <DataField name="amount" optype="continuous" dataType="double"/>
                <DataField name="risk" optype="continuous" dataType="double"/></DataDictionary>
                <MiningModel functionName="regression"><MiningSchema><MiningField name="risk" usageType="target"/>
                <MiningField name="amount" missingValueReplacement="0"/></MiningSchema>
                <Segmentation multipleModelMethod="sum" missingPredictionTreatment="returnMissing">
                """);
        segment(pmml, -1, "<Node score=\"" + 1000 * version + "\"><True/></Node>");
        for (int n = 0; n < trees; n++) {
            StringBuilder nodes = new StringBuilder();
            nodes(nodes, random, 8, 0.0, 5000.0, "<True/>");
            segment(pmml, n, nodes.toString());
        }
        pmml.append("</Segmentation></MiningModel></PMML>");
        return pmml.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void segment(StringBuilder pmml, int n, String nodes) {
        pmml.append("<Segment id=\"tree").append(n).append("\"><True/><TreeModel functionName=\"regression\" ")
                .append("splitCharacteristic=\"binarySplit\"><MiningSchema><MiningField name=\"amount\"/>")
                .append("</MiningSchema>").append(nodes).append("</TreeModel></Segment>\n");
    }

    private static void nodes(StringBuilder out, Random random, int depth, double low, double high, String predicate) {
        if (depth == 0) {
            out.append("<Node score=\"0\">").append(predicate).append("</Node>");
            return;
        }
        double cut = Math.round((low + random.nextDouble() * (high - low)) * 1e4) / 1e4;
        out.append("<Node>").append(predicate);
        nodes(out, random, depth - 1, low, cut,
                "<SimplePredicate field=\"amount\" operator=\"lessOrEqual\" value=\"" + cut + "\"/>");
        nodes(out, random, depth - 1, cut, high,
                "<SimplePredicate field=\"amount\" operator=\"greaterThan\" value=\"" + cut + "\"/>");
        out.append("</Node>");
    }
}
