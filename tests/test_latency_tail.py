"""bench/latency_tail.py: late scores set beside the checkpoints and GC pauses of the job's own logs."""

import datetime
import importlib.util
import sys
from pathlib import Path

SPEC = importlib.util.spec_from_file_location("latency_tail", Path(__file__).parents[1] / "bench" / "latency_tail.py")
assert SPEC and SPEC.loader
latency_tail = importlib.util.module_from_spec(SPEC)
sys.modules["latency_tail"] = latency_tail  # its dataclass looks its module up
SPEC.loader.exec_module(latency_tail)

T = 1_796_373_008_446  # ms


def flink_time(ms: int) -> str:
    local = datetime.datetime.fromtimestamp(ms / 1000, datetime.UTC).astimezone()  # Flink logs local time
    return local.strftime("%Y-%m-%d %H:%M:%S,") + f"{ms % 1000:03d}"


def gc_time(ms: int) -> str:
    utc = datetime.datetime.fromtimestamp(ms / 1000, datetime.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+0000"


FLINK_LOG = [
    f"{flink_time(T)} INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator    [] - Triggering "
    f"checkpoint 1 (type=CheckpointType{{name='Checkpoint', sharingFilesStrategy=FORWARD_BACKWARD}}) @ {T} for job "
    "10ea8008eb06ec8c707bfd88340689b5.",
    f"{flink_time(T + 300)} INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator    [] - Completed "
    "checkpoint 1 for job 10ea8008eb06ec8c707bfd88340689b5 (172440 bytes, checkpointDuration=300 ms, "
    "finalizationTime=9 ms).",
    f"{flink_time(T + 2000)} INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator    [] - Triggering "
    f"checkpoint 2 (type=CheckpointType{{name='Checkpoint', sharingFilesStrategy=FORWARD_BACKWARD}}) @ {T + 2000} "
    "for job 10ea8008eb06ec8c707bfd88340689b5.",
]
GC_LOG = [
    f"[{gc_time(T - 5000)}] Using G1",
    f"[{gc_time(T + 1000)}] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 421M->134M(524M) 40.000ms",
    f"[{gc_time(T + 4000)}] GC(8) Pause Young (Normal) (G1 Evacuation Pause) 422M->139M(524M) 20.500ms",
]


def test_spans_are_read_from_the_logs_as_written():
    assert latency_tail.checkpoint_spans(FLINK_LOG) == [(T, T + 300)]  # checkpoint 2 never completed
    assert latency_tail.young_pauses(GC_LOG) == [(T + 960, T + 1000), (T + 3979.5, T + 4000)]


def test_durations_are_flinks_own_for_the_checkpoints_completed_since():
    assert latency_tail.checkpoint_durations(FLINK_LOG, T) == [300]
    assert latency_tail.checkpoint_durations(FLINK_LOG, T + 301) == []


def test_each_late_score_is_set_beside_what_ran_while_its_event_waited():
    scores = [
        (T - 100, 20),  # on time
        (T + 100, 60),  # waited through the checkpoint
        (T + 950, 70),  # through the first pause
        (T + 250, 800),  # through both
        (T + 2500, 80),  # through neither
    ]
    tail = latency_tail.tail(scores, 50, latency_tail.checkpoint_spans(FLINK_LOG), latency_tail.young_pauses(GC_LOG))
    assert (tail.scores, tail.late) == (5, 4)
    assert (tail.beside_checkpoint, tail.beside_pause, tail.beside_both) == (2, 2, 1)
    assert tail.pause_p50_ms == 40
    assert tail.text(50) == (
        "80.0% over 50 ms: 50% beside a checkpoint, 50% beside a young GC pause (median 40 ms), 25% beside both"
    )


def test_each_late_score_is_split_into_the_legs_of_its_wait_by_its_own_stamps():
    # (ingested at, readable at, latency_ms: ingested to scored, job_ms: the job's first operator to scored,
    # appended at: unknown)
    scores = [
        (T, T + 20, 15, 5, None),  # on time: 10 ms before the operators, 5 in them, 5 after
        (T, T + 70, 15, 5, None),  # late after them: 55 ms from scored to readable
        (T, T + 80, 70, 60, None),  # late in them
        (T, T + 90, 80, 10, None),  # late before them: 70 ms to the first operator
        (T, T + 100, 60, 10, None),  # 50 before, 10 in, 40 after: longest before
    ]
    legs = latency_tail.legs(scores, 50)
    assert legs.late == 4
    assert legs.longest == {"before": 2, "in": 1, "after": 1}
    assert legs.late_p50 == {"before": 50, "in": 10, "after": 40}
    assert legs.all_p50 == {"before": 10, "in": 10, "after": 10}
    assert legs.text() == (
        "late scores waited longest before / in / after the job's operators: before 50%, in 25%, after 25%; "
        "their median legs 50 / 10 / 40 ms (all scores 10 / 10 / 10)"
    )
    assert latency_tail.legs(scores[:1], 50).text() == "no late score"


def test_the_broker_s_append_time_splits_the_sending_off_the_wait_before_the_operators():
    # (ingested at, readable at, latency_ms, job_ms, appended at: when the broker appended the event)
    scores = [
        (T, T + 20, 15, 5, T + 4),  # on time: 4 ms sending, 6 before the operators, 5 in them, 5 after
        (T, T + 90, 80, 10, T + 60),  # late sending: 60 ms to the broker, 10 from it to the first operator
        (T, T + 90, 80, 10, T + 5),  # late before the operators: 65 ms from the broker to the first operator
    ]
    legs = latency_tail.legs(scores, 50)
    assert legs.longest == {"sending": 1, "before": 1, "in": 0, "after": 0}
    assert legs.all_p50 == {"sending": 5, "before": 10, "in": 10, "after": 10}
    assert legs.text() == (
        "late scores waited longest sending / before / in / after the job's operators: "
        "sending 50%, before 50%, in 0%, after 0%; their median legs 60 / 65 / 10 / 10 ms (all scores 5 / 10 / 10 / 10)"
    )
    # one score without an append time (its event not found): the three legs of the job's own stamps
    assert latency_tail.legs([*scores, (T, T + 20, 15, 5, None)], 50).longest == {"before": 2, "in": 0, "after": 0}


def test_a_whole_log_counts_every_pause_and_the_marking_cycles_and_what_started_them():
    log = [
        *GC_LOG,
        f"[{gc_time(T + 5000)}] GC(9) Pause Young (Concurrent Start) (G1 Humongous Allocation) 175M->164M(303M) "
        "4.500ms",
        f"[{gc_time(T + 5001)}] GC(10) Concurrent Mark Cycle",
        f"[{gc_time(T + 5040)}] GC(10) Pause Remark 167M->167M(303M) 5.000ms",
        f"[{gc_time(T + 5050)}] GC(10) Pause Cleanup 167M->167M(303M) 0.500ms",
        f"[{gc_time(T + 5060)}] GC(10) Concurrent Mark Cycle 59.000ms",
        f"[{gc_time(T + 9000)}] GC(11) Pause Young (Concurrent Start) (Metadata GC Threshold) 26M->9M(380M) 5.000ms",
        f"[{gc_time(T + 9000)}] GC(11) User=0.01s Sys=0.00s Real=0.01s",
        f"[{gc_time(T + 9500)}] GC(12) Pause Full (G1 Compaction Pause) 500M->200M(512M) 981.000ms",
        f"[{gc_time(T + 9500)}] GC(12) User=0.30s Sys=0.02s Real=0.98s",
    ]
    summary = latency_tail.gc_summary(log)
    assert (summary.pauses, summary.full, summary.longest_ms) == (7, 1, 981.0)
    assert (summary.marking_cycles, summary.humongous_starts) == (2, 1)
    assert summary.paused_ms == 40.0 + 20.5 + 4.5 + 5.0 + 0.5 + 5.0 + 981.0
    assert summary.longest_cpu == (0.30, 0.02, 0.98)
    assert summary.text() == (
        "7 pauses (1 full), 1.1 s in all, longest 981 ms (its collection's threads: user 0.30 s, sys 0.02 s, in "
        "0.98 s); 2 concurrent cycles started (1 by a humongous allocation)"
    )
    assert latency_tail.gc_summary(GC_LOG).longest_cpu is None  # a log without gc+cpu
    assert latency_tail.gc_summary([]).text().startswith("0 pauses")


def test_the_late_scores_of_a_swapping_run_are_counted_by_publish_and_by_the_time_since_it():
    publishes = [T + 1000 * i for i in range(7)]  # a swap a second
    scores = [
        (T - 500, 80),  # before the first publish
        (T + 50, 90),  # swap 1, its first 200 ms
        (T + 500, 10),  # swap 1, later
        (T + 1100, 10),  # swap 2, its first 200 ms
        (T + 5900, 60),  # swap 6, later
        (T + 6100, 70),  # swap 7, its first 200 ms: the last one lasts as long as the one before
        (T + 7000, 99),  # after the last swap's span
    ]
    swaps = latency_tail.swap_tail(scores, 50, list(reversed(publishes)))
    assert swaps.by_swap == [(1, 2), (0, 1), (0, 0), (0, 0), (0, 0), (1, 1), (1, 1)]
    assert (swaps.opening, swaps.rest, swaps.outside) == ((2, 3), (1, 2), (2, 2))
    assert swaps.text() == (
        "late while swapping: 66.7% within 200 ms of a publish, 50.0% later; swaps 1-5: 50.0%, 0.0%, none, none, "
        "none; the other 2: 100.0%; outside the swaps: 100.0%"
    )
    assert latency_tail.swap_tail(scores, 50, []).text().startswith("late while swapping: none")
