package io.fraudscore.live;

/**
 * String to String state: Flink's broadcast MapState in the job, a {@link MapControlState} in tests. The keys are
 * scoring_job/live_models.py's ({@code live}, {@code seq}, {@code features}, {@code features_previous},
 * {@code spec:<model>:<version>}) plus {@code fallback:<model>}: the version a deploy replaced, kept until the
 * new one is known to compile (see {@link OperatorControl}).
 */
public interface ControlState {
    /** The value, or null when there is none. */
    String get(String key);

    void put(String key, String value);

    void remove(String key);
}
