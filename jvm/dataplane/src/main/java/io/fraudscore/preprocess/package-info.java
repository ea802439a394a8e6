/**
 * The preprocessor's plumbing in the JVM: raw records gathered into batches for one call into the Python
 * adapters each ({@link io.fraudscore.preprocess.RawBatch}, {@link io.fraudscore.preprocess.MicroBatcher}),
 * the adapters' answers split into events and rejects ({@link io.fraudscore.preprocess.Outcomes},
 * {@link io.fraudscore.preprocess.SplitOutcomes}), and de-duplication by event id with state TTL
 * ({@link io.fraudscore.preprocess.DropRepeats}). {@link io.fraudscore.preprocess.PreprocessPlane} wires
 * them into the PyFlink-built job. The batch formats are shared with {@code preprocessor_job/batch.py}.
 */
package io.fraudscore.preprocess;
