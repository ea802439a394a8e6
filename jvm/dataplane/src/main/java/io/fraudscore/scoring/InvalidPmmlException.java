package io.fraudscore.scoring;

/** A PMML document that cannot be scored, with the reason in words (the Python side's PmmlError messages). */
public final class InvalidPmmlException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidPmmlException(String message) {
        super(message);
    }

    public InvalidPmmlException(String message, Throwable cause) {
        super(message, cause);
    }
}
