package io.fraudscore.live;

import java.util.List;
import java.util.Map;

/**
 * An event's features as assembled: their values by name, the feature set's {@code name:version} (null without
 * a feature set), the parts that did not arrive in time, and the live feature set when it is the one they came
 * from (for warm-up; else null). Python's {@code EventFeatures}.
 */
public record EventFeatures(Map<String, Object> values, String version, List<String> missingParts,
        LiveFeatureSet live) {
    /** No features: what an event is scored with before any feature set is live. */
    public static final EventFeatures NONE = new EventFeatures(Map.of(), null, List.of(), null);
}
