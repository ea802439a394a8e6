package io.fraudscore.features.expr;

/** A compiled expression of a feature plan: every name bound to a slot once, evaluated per event. */
@FunctionalInterface
public interface Expr {
    Object eval(Frame frame);
}
