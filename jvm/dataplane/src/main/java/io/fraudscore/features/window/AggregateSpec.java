package io.fraudscore.features.window;

import io.fraudscore.features.aggregate.AggregateFunction;

/**
 * One aggregate of a block: its function, window, and which of the block's inputs it reads. {@code everyEvent}
 * marks {@code count()} without a filter, whose input is never null: the window's size answers it.
 */
public record AggregateSpec(AggregateFunction function, WindowSpec window, int source, boolean everyEvent) {}
