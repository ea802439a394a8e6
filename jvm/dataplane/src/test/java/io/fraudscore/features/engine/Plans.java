package io.fraudscore.features.engine;

import io.fraudscore.features.plan.FeaturePlan;
import io.fraudscore.features.plan.PlanReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The plans tests run: DSL.md's example as dsl/plan.py compiles it (tests/dsl/test_plan.py keeps it current). */
final class Plans {
    private Plans() {}

    static String text(String name) throws IOException {
        try (InputStream in = Plans.class.getResourceAsStream("/plans/" + name + ".plan.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static FeaturePlan dslMdExample() throws Exception {
        return PlanReader.read(text("dsl_md_example"));
    }
}
