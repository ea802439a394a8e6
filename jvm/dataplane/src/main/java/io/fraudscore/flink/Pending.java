package io.fraudscore.flink;

/**
 * An event waiting in its customer's assembly for its parts (a Flink POJO), or, once scored without some of
 * them, the mark that drops a part still on its way instead of scoring the event twice.
 */
public class Pending {
    public String event;
    public long enteredMs;
    public String featureSet;
    /** Every part the event waits for, by name. */
    public String[] parts;
    /** The parts that came with values, by name. */
    public String[] got;
    /** How many parts came, with values or without. */
    public int arrived;
    /** The features so far (the local defaults, then each part's), as a JSON object. */
    public String features;
    public long deadline;
    public boolean scored;

    public Pending() {}
}
