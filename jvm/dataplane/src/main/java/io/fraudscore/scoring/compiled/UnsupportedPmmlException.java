package io.fraudscore.scoring.compiled;

/**
 * A PMML construct the compiled engine does not evaluate, named in the message ("TreeModel
 * missingValueStrategy 'aggregateNodes'", "expression <MapValues>"): PMML4S scores such a model instead.
 */
public final class UnsupportedPmmlException extends Exception {
    private static final long serialVersionUID = 1L;

    public UnsupportedPmmlException(String message) {
        super(message);
    }
}
