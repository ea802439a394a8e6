package io.fraudscore.features.plan;

/** A feature plan the engine cannot run, with what is wrong and where in the plan. */
public final class InvalidPlanException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidPlanException(String message) {
        super(message);
    }

    public InvalidPlanException(String message, Throwable cause) {
        super(message, cause);
    }
}
