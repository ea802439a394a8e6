"""PMML scoring, side by side in one run: the compiled engine against pypmml, per record and per batch.

    .venv/bin/python bench/pmml_engine.py [--records 2000]

Models: scikit-learn pipelines (imputation, scaling, one-hot) trained on synthetic payments and exported
with sklearn2pmml: logistic regression, GBM-100 (depth 3), random forest 100 (depth 8), isolation forest
100. Per record: records/s scoring one record per call. Batch: 1,000 records per call (pypmml through a
DataFrame). Each figure is the best of --repeats runs: this machine is shared.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pmml_engine.engine import Scorer, load_scorer
from tests.pmml_engine.conftest import fraud_label, payments, preprocessing


def models() -> dict[str, object]:
    from sklearn.ensemble import GradientBoostingClassifier, IsolationForest, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    return {
        "LR": LogisticRegression(),
        "GBM-100 (depth 3)": GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=0),
        "RF-100 (depth 8)": RandomForestClassifier(n_estimators=100, max_depth=8, random_state=0),
        "IsolationForest-100": IsolationForest(n_estimators=100, random_state=0),
    }


def export(name: str, estimator: object, out: Path) -> bytes:
    from sklearn2pmml import sklearn2pmml
    from sklearn2pmml.pipeline import PMMLPipeline

    frame = payments(5_000, seed=1)
    pipeline = PMMLPipeline([("preprocess", preprocessing()), ("model", estimator)])
    pipeline.fit(frame) if name.startswith("Isolation") else pipeline.fit(frame, fraud_label(frame, seed=2))
    path = out / "model.pmml"
    sklearn2pmml(pipeline, str(path))
    return path.read_bytes()


def best_rate(work: Callable[[], int], repeats: int) -> float:
    """Records per second of the fastest of `repeats` runs."""
    best = math.inf
    count = 0
    for _ in range(repeats):
        started = time.perf_counter()
        count = work()
        best = min(best, time.perf_counter() - started)
    return count / best


def per_record(scorer: Scorer, records: list[dict]) -> Callable[[], int]:
    def work() -> int:
        for record in records:
            scorer.score_one(record)
        return len(records)

    return work


def per_batch(scorer: Scorer, records: list[dict]) -> Callable[[], int]:
    def work() -> int:
        for start in range(0, len(records), 1_000):
            scorer.score_batch(records[start : start + 1_000])
        return len(records)

    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    frame = payments(args.records, seed=9)
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    print(f"{'model':<22} {'compiled/rec':>13} {'pypmml/rec':>11} {'ratio':>7} {'compiled/batch':>15} "
          f"{'pypmml/batch':>13} {'ratio':>7}   (records/s)")  # fmt: skip
    for name, estimator in models().items():
        with tempfile.TemporaryDirectory() as tmp:
            pmml = export(name, estimator, Path(tmp))
        compiled, reference = load_scorer(pmml, engine="compiled"), load_scorer(pmml, engine="pypmml")
        few = records[: max(200, args.records // 10)]  # pypmml is slow one record at a time
        rates = [
            best_rate(per_record(compiled, records), args.repeats),
            best_rate(per_record(reference, few), args.repeats),
            best_rate(per_batch(compiled, records), args.repeats),
            best_rate(per_batch(reference, records), args.repeats),
        ]
        print(f"{name:<22} {rates[0]:>13,.0f} {rates[1]:>11,.0f} {rates[0] / rates[1]:>6.0f}x {rates[2]:>15,.0f} "
              f"{rates[3]:>13,.0f} {rates[2] / rates[3]:>6.0f}x", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
