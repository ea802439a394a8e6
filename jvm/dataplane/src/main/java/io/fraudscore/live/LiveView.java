package io.fraudscore.live;

import java.util.List;

/**
 * What is live for the next event: the models (sorted by id, each model's champion first, then its other
 * aliases by name), the feature set (null before the first {@code features.deploy}) and the one before it
 * (null unless a set replaced another), for parts routed just before a swap.
 */
public record LiveView(List<LiveModel> models, LiveFeatureSet features, LiveFeatureSet previousFeatures) {
    public LiveView {
        models = List.copyOf(models);
    }
}
