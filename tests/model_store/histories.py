"""A long life of the model store, and the live table as the store and as the scoring job see it: what the
compaction tests (test_store.py on a compaction made by hand, test_compacted_control.py on a broker's) check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from model_store import ModelStore
from pmml_engine import Scorer, load_scorer
from scoring_job.live_models import Applied, DictState, OperatorControl, Skipped
from tests.pmml_models import logistic

PAYMENTS = (Path(__file__).resolve().parents[2] / "examples" / "payments.fdsl").read_text()

LiveRow = tuple[str, str, int, str, float, tuple[str, ...]]


def a_long_history(store: ModelStore, pause: Callable[[], None] = lambda: None) -> None:
    """Uploads, champions and challengers, thresholds and modes, promotions, rollbacks, retires and two
    feature sets, over three models; `pause` between its phases (a broker rolls a segment in it)."""
    store.deploy_features(PAYMENTS, "payments.fdsl", "alice")
    store.upload("fraud_lr", logistic({"amount": 0.01}), "alice", threshold=0.6, event_types=("payment",))
    store.upload("fraud_lr", logistic({"amount": 0.02}), "alice", alias="challenger", threshold=0.4)
    store.set_threshold("fraud_lr", 2, 0.45, "bob")
    store.set_threshold("fraud_lr", 1, 0.65, "bob")
    store.shadow("fraud_lr", 1, "bob")
    store.activate("fraud_lr", 1, "bob")
    pause()
    store.activate("fraud_lr", 2, "bob")  # the challenger promoted
    store.set_threshold("fraud_lr", 2, 0.5, "bob")
    store.upload("fraud_lr", logistic({"amount": 0.03}), "alice", alias="challenger", event_types=("transfer",))
    store.rollback("fraud_lr", "bob")  # v1 back
    store.activate("fraud_lr", 3, "bob")
    pause()
    store.upload("other", logistic({"amount": 0.005}), "alice", threshold=0.3)
    store.upload("other", logistic({"amount": 0.006}), "alice", alias="challenger")
    store.set_threshold("other", 2, 0.35, "bob")
    store.retire("other", "bob", version=2)
    store.upload("other", logistic({"amount": 0.007}), "alice", alias="canary")
    store.upload("gone", logistic({"amount": 0.004}), "alice")
    store.upload("gone", logistic({"amount": 0.008}), "alice", alias="challenger")
    store.set_threshold("gone", 1, 0.7, "bob")
    store.retire("gone", "bob")
    pause()
    store.deploy_features(PAYMENTS.replace("version 1", "version 2", 1), "payments.fdsl", "alice")
    store.rollback("fraud_lr", "bob")  # v1 back again
    store.shadow("fraud_lr", 2, "bob")  # v2, not live, comes back as the challenger
    store.set_threshold("fraud_lr", 2, 0.55, "bob")
    store.shadow("fraud_lr", 1, "bob")
    store.activate("fraud_lr", 2, "bob")
    store.shadow("other", 3, "bob")  # in shadow already: nothing published
    store.activate("other", 3, "bob")  # the canary promoted
    store.shadow("fraud_lr", 1, "bob")  # the old champion, not live, back as the challenger
    pause()
    store.set_threshold("other", 3, 0.25, "bob")


def store_table(store: ModelStore) -> list[LiveRow]:
    """What the store says is live, with each version's settings."""
    rows = []
    for live in store.live():
        version = store.version(live.model_id, live.version)
        rows.append((live.model_id, live.alias, live.version, live.mode, version.threshold,
                     tuple(sorted(version.event_types))))  # fmt: skip
    return sorted(rows)


def job_table(key: str, values: Iterable[bytes | None], compile_model: Callable[[bytes, str], Scorer] = load_scorer
              ) -> list[LiveRow]:  # fmt: skip
    """What the scoring job's logic has live after applying `values` in order; every message must apply."""
    operator, state = OperatorControl(key, compile_model=compile_model), DictState()
    for value in values:
        outcome = operator.apply(value.decode() if value is not None else None, state)
        assert isinstance(outcome, Applied | Skipped), outcome
    return sorted((m.model_id, m.alias, m.version, m.mode, m.threshold, tuple(sorted(m.event_types)))
                  for m in operator.view(state).models)  # fmt: skip


def compacted(records: list[tuple[bytes, bytes | None]], upto: int | None = None, *, tombstones: bool = True
              ) -> list[tuple[bytes, bytes | None]]:  # fmt: skip
    """The records as a broker's compaction may leave them: in the first `upto` (all, by default), each key's
    newest record of those only (tombstones too, or not: they go later), and the rest as they were."""
    upto = len(records) if upto is None else upto
    newest = {key: offset for offset, (key, _) in enumerate(records[:upto])}
    head = [(key, value) for offset, (key, value) in enumerate(records[:upto])
            if newest[key] == offset and (tombstones or value is not None)]  # fmt: skip
    return head + records[upto:]


def memo_compile() -> Callable[[bytes, str], Scorer]:
    """load_scorer, once per PMML and engine, for many replays of the same history."""
    done: dict[tuple[bytes, str], Scorer] = {}

    def compile_model(pmml: bytes, engine: str) -> Scorer:
        if (pmml, engine) not in done:
            done[(pmml, engine)] = load_scorer(pmml, engine)
        return done[(pmml, engine)]

    return compile_model
