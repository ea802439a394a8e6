package io.fraudscore.features.expr;

import io.fraudscore.features.stateful.StatefulFunction;

/**
 * What a block's expressions read for one event: the event's fields by slot, the block's aggregate results,
 * its stateful functions (already updated for the event) and the features computed so far. Reused from event
 * to event: the engine refills it.
 */
public final class Frame {
    public Object[] fields;
    public Object[] aggregates;
    public StatefulFunction[] functions;
    public final Object[] features;

    public Frame(int features) {
        this.features = new Object[features];
    }
}
