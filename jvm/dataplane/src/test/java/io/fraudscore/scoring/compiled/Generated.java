package io.fraudscore.scoring.compiled;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** PMML made here for each shape and option the compiler takes, for the differential test. */
final class Generated {
    private static final String HEAD = """
            <PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/><DataDictionary>
            <DataField name="amount" optype="continuous" dataType="double"/>
            <DataField name="count" optype="continuous" dataType="integer"/>
            <DataField name="ratio" optype="continuous" dataType="float"/>
            <DataField name="channel" optype="categorical" dataType="string">
              <Value value="web"/><Value value="atm"/><Value value="pos"/></DataField>
            <DataField name="tier" optype="categorical" dataType="integer"><Value value="1"/><Value value="2"/>
              <Value value="3"/></DataField>
            <DataField name="label" optype="categorical" dataType="string"><Value value="no"/><Value value="yes"/>
            </DataField>
            <DataField name="kind" optype="categorical" dataType="integer"><Value value="0"/><Value value="1"/>
              <Value value="2"/></DataField>
            <DataField name="risk" optype="continuous" dataType="double"/>
            </DataDictionary>
            """;
    private static final String SCHEMA = """
            <MiningSchema><MiningField name="%s" usageType="target"/>
            <MiningField name="amount"%s/><MiningField name="count"/><MiningField name="ratio"/>
            <MiningField name="channel"%s/><MiningField name="tier"%s/></MiningSchema>
            """;
    private static final String NESTED = """
            <MiningSchema><MiningField name="amount"/><MiningField name="count"/><MiningField name="ratio"/>
            <MiningField name="channel"/><MiningField name="tier"/></MiningSchema>
            """;

    private Generated() {}

    static Map<String, byte[]> all() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String missing : List.of("none", "lastPrediction", "nullPrediction", "defaultChild")) {
            for (String noTrue : List.of("returnNullPrediction", "returnLastPrediction")) {
                m.put("tree-" + missing + "-" + noTrue, HEAD + tree("classification", missing, noTrue,
                        schema("label", "", "", ""), "", true) + "</PMML>");
            }
        }
        m.put("tree-penalty-output", HEAD + tree("classification", "defaultChild", "returnNullPrediction",
                schema("label", " missingValueReplacement=\"50\"", " invalidValueTreatment=\"asIs\"",
                        " invalidValueTreatment=\"asMissing\" missingValueReplacement=\"2\""), """
                <Output><OutputField name="p_yes" optype="continuous" dataType="double" feature="probability"
                value="yes"/><OutputField name="label_hat" optype="categorical" dataType="string"
                feature="predictedValue"/><OutputField name="p" optype="continuous" dataType="double"
                feature="probability"/></Output>""", true).replace("<TreeModel ",
                "<TreeModel missingValuePenalty=\"0.8\" ") + "</PMML>");
        m.put("tree-regression-targets", HEAD + tree("regression", "lastPrediction", "returnLastPrediction",
                schema("risk", "", " invalidValueTreatment=\"asMissing\" missingValueReplacement=\"atm\"", ""),
                "<Targets><Target field=\"risk\" rescaleFactor=\"2.5\" rescaleConstant=\"-1\" min=\"0.5\" max=\"40\"/>"
                        + "</Targets>", false) + "</PMML>");
        m.put("regression-softmax", HEAD + regression("classification", "softmax", "kind", true, """
                <Output><OutputField name="p0" optype="continuous" dataType="double" feature="probability" value="0"/>
                <OutputField name="p2" optype="continuous" dataType="double" feature="probability" value="2"/>
                <OutputField name="k" optype="categorical" dataType="integer" feature="predictedValue"/>
                </Output>""") + "</PMML>");
        for (String method : List.of("simplemax", "none", "logit", "probit", "cloglog", "cauchit", "loglog")) {
            m.put("regression-binary-" + method, HEAD + regression("classification", method, "label", false, "")
                    + "</PMML>");
        }
        m.put("regression-multinomial-none", HEAD + regression("classification", "none", "kind", true, "")
                + "</PMML>");
        for (String method : List.of("none", "exp", "logit", "softmax", "probit", "cloglog", "cauchit")) {
            m.put("regression-value-" + method, HEAD + regression("regression", method, "risk", false, "")
                    + "</PMML>");
        }
        for (String method : List.of("majorityVote", "weightedMajorityVote", "average", "weightedAverage")) {
            m.put("ensemble-" + method, HEAD + ensemble("classification", method, "label", "returnMissing")
                    + "</PMML>");
        }
        for (String method : List.of("sum", "average", "weightedAverage")) {
            for (String onMissing : List.of("returnMissing", "continue")) {
                m.put("ensemble-" + method + "-" + onMissing, HEAD + ensemble("regression", method, "risk",
                        onMissing) + "</PMML>");
            }
        }
        m.put("derived-fields", HEAD + """
                <TransformationDictionary><DerivedField name="double_amount" optype="continuous" dataType="double">
                <Apply function="*"><FieldRef field="amount"/><Constant>2</Constant></Apply></DerivedField>
                </TransformationDictionary>
                <RegressionModel functionName="regression">""" + schema("risk", "", "", "") + """
                <LocalTransformations><DerivedField name="z" optype="continuous" dataType="double">
                <Apply function="/"><Apply function="-"><FieldRef field="double_amount"/><Constant>3.5</Constant>
                </Apply><FieldRef field="ratio"/></Apply></DerivedField>
                <DerivedField name="w" optype="continuous" dataType="float"><Apply function="+">
                <FieldRef field="z"/><FieldRef field="count"/></Apply></DerivedField></LocalTransformations>
                <RegressionTable intercept="0.25"><NumericPredictor name="z" coefficient="0.5"/>
                <NumericPredictor name="w" coefficient="-0.125" exponent="2"/></RegressionTable>
                </RegressionModel></PMML>""");
        Map<String, byte[]> out = new LinkedHashMap<>();
        m.forEach((name, text) -> out.put(name, text.getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    private static String schema(String target, String amount, String channel, String tier) {
        return SCHEMA.formatted(target, amount, channel, tier);
    }

    /** A tree over every predicate kind; a classification one with ScoreDistributions and node ids. */
    static String tree(String function, String missing, String noTrue, String schema, String extra,
            boolean classes) {
        return "<TreeModel functionName=\"" + function + "\" missingValueStrategy=\"" + missing
                + "\" noTrueChildStrategy=\"" + noTrue + "\">" + schema + extra + treeNodes(classes) + "</TreeModel>";
    }

    private static String treeNodes(boolean classes) {
        String[] scores = classes ? new String[] {"no", "yes"} : new String[] {"1.5", "-2.25"};
        return """
                <Node id="0" score="%1$s" defaultChild="1"><True/>
                  <Node id="1" score="%1$s" defaultChild="3"><CompoundPredicate booleanOperator="surrogate">
                      <SimplePredicate field="amount" operator="lessOrEqual" value="100"/>
                      <SimplePredicate field="count" operator="lessThan" value="5"/><False/></CompoundPredicate>
                    <Node id="3" score="%2$s"><SimpleSetPredicate field="channel" booleanOperator="isIn">
                      <Array n="2" type="string">atm "pos"</Array></SimpleSetPredicate>%3$s</Node>
                    <Node id="4" score="%1$s"><CompoundPredicate booleanOperator="and">
                      <SimplePredicate field="ratio" operator="greaterThan" value="0.3"/>
                      <SimplePredicate field="tier" operator="notEqual" value="2"/></CompoundPredicate>%4$s</Node>
                  </Node>
                  <Node id="2" score="%2$s" defaultChild="6"><CompoundPredicate booleanOperator="or">
                      <SimplePredicate field="amount" operator="greaterThan" value="100"/>
                      <SimplePredicate field="channel" operator="equal" value="web"/></CompoundPredicate>
                    <Node id="5" score="%1$s"><SimplePredicate field="tier" operator="isMissing"/>%3$s</Node>
                    <Node id="6" score="%2$s"><SimpleSetPredicate field="tier" booleanOperator="isNotIn">
                      <Array n="1" type="int">3</Array></SimpleSetPredicate>%4$s</Node>
                    <Node id="7" score="%1$s"><SimplePredicate field="ratio" operator="greaterOrEqual"
                      value="2.5"/>%3$s</Node>
                  </Node>
                </Node>""".formatted(scores[0], scores[1], classes ? distribution("30", "10", true) : "",
                classes ? distribution("5", "15", false) : "");
    }

    private static String distribution(String no, String yes, boolean confidence) {
        String c = confidence ? " confidence=\"0.7\"" : "";
        return "<ScoreDistribution value=\"no\" recordCount=\"" + no + "\"" + c + "/>"
                + "<ScoreDistribution value=\"yes\" recordCount=\"" + yes + "\"" + c + "/>";
    }

    static String regression(String function, String method, String target, boolean three, String output) {
        StringBuilder s = new StringBuilder("<RegressionModel functionName=\"" + function
                + "\" normalizationMethod=\"" + method + "\">" + schema(target, " missingValueReplacement=\"10\"",
                " invalidValueTreatment=\"asIs\"", " missingValueReplacement=\"1\"") + output);
        String[] categories = target.equals("kind") ? new String[] {"0", "1", "2"} : new String[] {"yes", "no"};
        int tables = function.equals("regression") ? 1 : three ? 3 : 2;
        for (int t = 0; t < tables; t++) {
            String category = function.equals("regression") ? "" : " targetCategory=\"" + categories[t] + "\"";
            if (t == tables - 1 && tables > 1 && !three) {
                s.append("<RegressionTable intercept=\"0\"").append(category).append("/>");
                continue;
            }
            s.append("<RegressionTable intercept=\"").append(0.1 * (t + 1)).append('"').append(category).append('>')
                    .append("<NumericPredictor name=\"amount\" coefficient=\"").append(0.002 * (t + 1)).append("\"/>")
                    .append("<NumericPredictor name=\"count\" coefficient=\"-0.03\"/>")
                    .append("<NumericPredictor name=\"ratio\" coefficient=\"0.4\" exponent=\"2\"/>")
                    .append("<CategoricalPredictor name=\"channel\" value=\"atm\" coefficient=\"").append(0.5 - t)
                    .append("\"/><CategoricalPredictor name=\"tier\" value=\"3\" coefficient=\"-0.7\"/>")
                    .append("</RegressionTable>");
        }
        return s.append("</RegressionModel>").toString();
    }

    static String ensemble(String function, String method, String target, String onMissing) {
        boolean classes = function.equals("classification");
        StringBuilder s = new StringBuilder("<MiningModel functionName=\"" + function + "\">"
                + schema(target, "", " invalidValueTreatment=\"asIs\"", "")
                + "<Segmentation multipleModelMethod=\"" + method + "\" missingPredictionTreatment=\"" + onMissing
                + "\">");
        String[] predicates = {"<True/>", "<SimplePredicate field=\"count\" operator=\"greaterThan\" value=\"1\"/>",
            "<SimplePredicate field=\"channel\" operator=\"notEqual\" value=\"pos\"/>", "<True/>"};
        String[] missing = {"nullPrediction", "lastPrediction", "none", "defaultChild"};
        for (int i = 0; i < predicates.length; i++) {
            s.append("<Segment id=\"").append(i).append("\" weight=\"").append(0.5 + i).append("\">")
                    .append(predicates[i])
                    .append(tree(function, missing[i], i % 2 == 0 ? "returnLastPrediction" : "returnNullPrediction",
                            NESTED, "", classes))
                    .append("</Segment>");
        }
        return s.append("</Segmentation></MiningModel>").toString();
    }
}
