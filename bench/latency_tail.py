"""Where a latency run's tail comes from: each late score (over the target) set beside the job's checkpoints
(from Flink's log) and its JVM's young GC pauses (from G1's log, `-Xlog:gc:file=...:time`), and split into the
legs of its wait (`legs`): before the scoring job's operators, in them, after them (and, with the broker's
append time of each event, the sending split off before).

A score is beside a checkpoint or a pause when its event waited while one ran (the span overlaps the time
from the event's send to its score). By chance alone a late score of 60 ms is beside a 40 ms pause every
2.5 s about 4% of the time: shares far above that name the cause.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# "2026-12-04 08:30:08,457 INFO ... Triggering checkpoint 1 (type=...) @ 1796373008446 for job ..."
TRIGGERED = re.compile(r"Triggering checkpoint (\d+) .*@ (\d+) for job")
# "2026-12-04 08:30:10,107 INFO ... Completed checkpoint 1 for job ... (172440 bytes, checkpointDuration=..."
COMPLETED = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .*Completed checkpoint (\d+) for job .*checkpointDuration=(\d+) ms"
)
# "[2026-12-04T08:33:13.114+0000] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 31M->20M(388M) 5.133ms"
YOUNG_PAUSE = re.compile(r"^\[([^\]]+)\].* GC\(\d+\) Pause Young .* (\d+(?:\.\d+)?)ms$")

# "[...] GC(72) Pause Remark 170M->170M(303M) 6.932ms": any stop-the-world pause, young or of a marking cycle
ANY_PAUSE = re.compile(r"^\[[^\]]+\].* GC\((\d+)\) Pause .* (\d+(?:\.\d+)?)ms$")
# "[...] GC(72) User=0.01s Sys=0.00s Real=0.62s" (gc+cpu): the CPU a collection's threads had, beside its wall time
GC_CPU = re.compile(r"^\[[^\]]+\] GC\((\d+)\) User=(\d+\.\d+)s Sys=(\d+\.\d+)s Real=(\d+\.\d+)s$")
# "[...] GC(74) Pause Young (Concurrent Start) (G1 Humongous Allocation) 175M->164M(303M) 4.682ms"
MARKING_STARTED = re.compile(r"Pause Young \(Concurrent Start\)")

Span = tuple[float, float]


def gc_log_option(path: Path) -> str:
    """The JVM option that logs G1's pauses with the wall-clock time they ended, for `young_pauses`, and the CPU
    time of each collection (`gc+cpu`), which tells a long pause that worked from one that waited for a core."""
    return f"-Xlog:gc,gc+cpu:file={path}:time"


def checkpoint_spans(log_lines: Iterable[str]) -> list[Span]:
    """Each completed checkpoint's span, epoch ms: triggered (the coordinator's stamp) to completed (the time of
    its log line)."""
    triggered: dict[int, float] = {}
    completed: dict[int, float] = {}
    for line in log_lines:
        if found := TRIGGERED.search(line):
            triggered[int(found[1])] = float(found[2])
        elif found := COMPLETED.match(line):
            completed[int(found[2])] = logged_ms(found[1])
    return sorted((triggered[n], completed[n]) for n in triggered if n in completed)


def checkpoint_durations(log_lines: Iterable[str], since_ms: float) -> list[int]:
    """How long each checkpoint completed from `since_ms` on took (ms), as Flink's log says."""
    completed = (COMPLETED.match(line) for line in log_lines)
    return [int(found[3]) for found in completed if found and logged_ms(found[1]) >= since_ms]


def logged_ms(stamp: str) -> float:
    """A Flink log line's time, epoch ms: Flink logs local time."""
    return datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").astimezone().timestamp() * 1000


def young_pauses(log_lines: Iterable[str]) -> list[Span]:
    """Each young GC pause's span, epoch ms (G1 logs a pause as it ends, with its length)."""
    pauses = []
    for line in log_lines:
        if found := YOUNG_PAUSE.match(line.rstrip()):
            ended = datetime.datetime.strptime(found[1], "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000
            pauses.append((ended - float(found[2]), ended))
    return pauses


@dataclass(frozen=True)
class Tail:
    late: int
    scores: int
    beside_checkpoint: int
    beside_pause: int
    beside_both: int
    pause_p50_ms: float

    def text(self, over_ms: int) -> str:
        if not self.late:
            return f"none over {over_ms} ms"
        share = self.late / self.scores
        return (
            f"{share:.1%} over {over_ms} ms: {self.beside_checkpoint / self.late:.0%} beside a checkpoint, "
            f"{self.beside_pause / self.late:.0%} beside a young GC pause (median {self.pause_p50_ms:.0f} ms), "
            f"{self.beside_both / self.late:.0%} beside both"
        )


def tail(latencies: Iterable[tuple[float, float]], over_ms: int, checkpoints: list[Span], pauses: list[Span]) -> Tail:
    """The scores (sent at, latency ms) over `over_ms`, and how many waited while a checkpoint or a pause ran;
    the median of the pauses given (those of the run's counted part)."""
    scores = late = by_checkpoint = by_pause = by_both = 0
    for sent_ms, latency_ms in latencies:
        scores += 1
        if latency_ms <= over_ms:
            continue
        late += 1
        waited = (sent_ms, sent_ms + latency_ms)
        checkpoint = any(overlaps(waited, span) for span in checkpoints)
        pause = any(overlaps(waited, span) for span in pauses)
        by_checkpoint += checkpoint
        by_pause += pause
        by_both += checkpoint and pause
    return Tail(late, scores, by_checkpoint, by_pause, by_both, median([end - start for start, end in pauses]))


# The first part of each second after a publish, where the new version compiles beside the scoring.
SWAP_OPENING_MS = 200
# The swaps named one by one in `SwapTail.text`: where the JIT still compiles the deploy's path.
FIRST_SWAPS = 5


@dataclass(frozen=True)
class SwapTail:
    """The late share of the events sent while models were swapped: after each publish until the next (the
    last: for as long as the one before lasted), split by the publish (in order) and by the time since it."""

    by_swap: list[tuple[int, int]]  # per publish, in order: (late, events)
    opening: tuple[int, int]  # sent within SWAP_OPENING_MS of a publish: (late, events)
    rest: tuple[int, int]  # sent later
    outside: tuple[int, int]  # sent before the first publish or after the last one's span

    def text(self) -> str:
        def share(late_and_all: tuple[int, int]) -> str:
            late, every = late_and_all
            return f"{late / every:.1%}" if every else "none"

        first = ", ".join(share(swap) for swap in self.by_swap[:FIRST_SWAPS])
        later = self.by_swap[FIRST_SWAPS:]
        others = share((sum(late for late, _ in later), sum(every for _, every in later)))
        return (f"late while swapping: {share(self.opening)} within {SWAP_OPENING_MS} ms of a publish, "
                f"{share(self.rest)} later; swaps 1-{FIRST_SWAPS}: {first}; the other {len(later)}: {others}; "
                f"outside the swaps: {share(self.outside)}")  # fmt: skip


def swap_tail(latencies: Iterable[tuple[float, float]], over_ms: int, published_ms: list[float]) -> SwapTail:
    """Scores (sent at, latency ms) set beside the publish times of the swaps."""
    publishes = sorted(published_ms)
    if not publishes:
        return SwapTail([], (0, 0), (0, 0), (0, 0))
    spans = [later - earlier for earlier, later in itertools.pairwise(publishes)]
    ends = [*publishes[1:], publishes[-1] + (spans[-1] if spans else 1000)]
    by_swap = [[0, 0] for _ in publishes]
    opening, rest, outside = [0, 0], [0, 0], [0, 0]
    for sent_ms, latency_ms in latencies:
        swap = bisect.bisect_right(publishes, sent_ms) - 1
        late = latency_ms > over_ms
        if swap < 0 or sent_ms >= ends[swap]:
            counts = [outside]
        else:
            part = opening if sent_ms - publishes[swap] < SWAP_OPENING_MS else rest
            counts = [by_swap[swap], part]
        for count in counts:
            count[0] += late
            count[1] += 1
    return SwapTail([(late, every) for late, every in by_swap], (opening[0], opening[1]), (rest[0], rest[1]),
                    (outside[0], outside[1]))  # fmt: skip


LEGS = ("before", "in", "after")
# With the broker's append time of each event: `before` starts there, and `sending` is the leg up to it.
SENDING_LEGS = ("sending", *LEGS)


@dataclass(frozen=True)
class Legs:
    """The late scores' wait in three legs: `before` the scoring job's operators (from the event's ingestion:
    the sender, the broker, the job's source, and the queue in front of its first operator, where backpressure
    from the later ones collects; end to end, the whole preprocessor), `in` them (`job_ms`: routing, features,
    assembly, scoring), `after` them (the sink, the producer, the broker's append; exactly-once also the
    commit). Where the broker stamped each event as it appended it, a fourth leg comes first: `sending`, from
    the send to that append (the bench's own producer and the broker), and `before` counts from the append."""

    longest: dict[str, int]  # per leg, how many late scores waited longest in it
    late_p50: dict[str, float]  # per leg, the late scores' median
    all_p50: dict[str, float]  # per leg, every score's median

    @property
    def late(self) -> int:
        return sum(self.longest.values())

    def text(self) -> str:
        if not self.late:
            return "no late score"
        names = tuple(self.longest)
        longest = ", ".join(f"{leg} {self.longest[leg] / self.late:.0%}" for leg in names)
        medians = " / ".join(f"{self.late_p50[leg]:.0f}" for leg in names)
        usual = " / ".join(f"{self.all_p50[leg]:.0f}" for leg in names)
        return (f"late scores waited longest {' / '.join(names)} the job's operators: {longest}; "
                f"their median legs {medians} ms (all scores {usual})")  # fmt: skip


Stamps = tuple[float, float, float, float, float | None]


def legs(scores: Iterable[Stamps], over_ms: int) -> Legs:
    """Scores as (ingested at, readable at, `latency_ms`, `job_ms`, appended at or None): the job's own two
    stamps split each wait into `LEGS`, and the event's append time, when every score has one, splits off
    `sending` (`SENDING_LEGS`); the scores over `over_ms` from ingestion to readable are the late ones."""
    scores = list(scores)
    split = bool(scores) and all(score[4] is not None for score in scores)
    names = SENDING_LEGS if split else LEGS
    every: dict[str, list[float]] = {leg: [] for leg in names}
    late: dict[str, list[float]] = {leg: [] for leg in names}
    longest = dict.fromkeys(names, 0)
    for ingested_ms, readable_ms, latency_ms, job_ms, appended_ms in scores:
        wait = {"before": latency_ms - job_ms, "in": job_ms, "after": readable_ms - ingested_ms - latency_ms}
        if split:
            wait["sending"] = appended_ms - ingested_ms
            wait["before"] -= wait["sending"]
        for leg in names:
            every[leg].append(wait[leg])
        if readable_ms - ingested_ms > over_ms:
            for leg in names:
                late[leg].append(wait[leg])
            longest[max(names, key=wait.__getitem__)] += 1
    return Legs(longest, {leg: median(late[leg]) for leg in names}, {leg: median(every[leg]) for leg in names})


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else float("nan")


def overlaps(a: Span, b: Span) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


@dataclass(frozen=True)
class GcSummary:
    """What a JVM's G1 log says of a whole run: its stop-the-world pauses, and the concurrent cycles its young
    pauses started (a marking, or one undone at once when a humongous object it was for was gone already)."""

    pauses: int
    paused_ms: float
    longest_ms: float
    marking_cycles: int
    humongous_starts: int
    full: int
    # The longest pause's collection: its threads' user and system CPU and its wall time, s (None: not logged)
    longest_cpu: tuple[float, float, float] | None = None

    def text(self) -> str:
        cpu = ""
        if self.longest_cpu is not None:
            user, system, real = self.longest_cpu
            cpu = f" (its collection's threads: user {user:.2f} s, sys {system:.2f} s, in {real:.2f} s)"
        return (
            f"{self.pauses:,} pauses ({self.full:,} full), {self.paused_ms / 1000:.1f} s in all, longest "
            f"{self.longest_ms:.0f} ms{cpu}; "
            f"{self.marking_cycles:,} concurrent cycles started ({self.humongous_starts:,} by a humongous allocation)"
        )


def gc_summary(log_lines: Iterable[str]) -> GcSummary:
    """Pauses and the concurrent cycles started, counted over a G1 log (`gc_log_option`)."""
    pauses: list[tuple[float, str]] = []  # (ms, the collection's number)
    cpu: dict[str, tuple[float, float, float]] = {}
    cycles = humongous = full = 0
    for line in log_lines:
        if found := ANY_PAUSE.match(line.rstrip()):
            pauses.append((float(found[2]), found[1]))
            full += " Pause Full " in line
            if MARKING_STARTED.search(line):
                cycles += 1
                humongous += "Humongous" in line
        elif found := GC_CPU.match(line.rstrip()):
            cpu[found[1]] = (float(found[2]), float(found[3]), float(found[4]))
    longest, longest_gc = max(pauses, key=lambda pause: pause[0], default=(0.0, ""))
    paused = sum(length for length, _ in pauses)
    return GcSummary(len(pauses), paused, longest, cycles, humongous, full, cpu.get(longest_gc))
