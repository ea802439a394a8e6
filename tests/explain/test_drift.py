"""Training profiles and drift: the bins a card keeps, and PSI of live inputs against them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explain import band, drift, profile_inputs, psi
from explain.profile import bin_counts, expected_shares


def training_frame(rows: int = 20_000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    amount = np.exp(rng.normal(3.7, 0.8, rows))
    amount[rng.random(rows) < 0.05] = np.nan  # 5% missing
    declines = rng.poisson(0.3, rows).astype(float)  # mostly 0: quantiles collapse
    return pd.DataFrame({"amount": amount, "declines": declines, "country": rng.choice(["NL", "DE", "FR"], rows)})


def test_a_profile_has_a_baseline_and_decile_bins_whose_shares_and_missing_add_up():
    frame = training_frame()
    profile = profile_inputs(frame)
    amount = profile["amount"]
    assert amount["baseline"] == pytest.approx(np.nanmedian(frame["amount"]))
    assert len(amount["edges"]) == 9 and amount["edges"] == sorted(amount["edges"])
    assert amount["missing"] == pytest.approx(frame["amount"].isna().mean())
    assert all(share == pytest.approx(0.095, abs=0.002) for share in amount["shares"])  # 95% over 10 bins
    declines = profile["declines"]
    assert declines["baseline"] == 0.0 and len(declines["edges"]) < 9  # tied values share a bin
    assert sum(expected_shares(declines)) == pytest.approx(1.0)
    country = profile["country"]
    assert country["kind"] == "categorical" and set(country["categories"]) == {"NL", "DE", "FR"}
    assert sum(expected_shares(country)) == pytest.approx(1.0)


def test_live_inputs_like_training_are_stable_and_shifted_ones_are_named_by_band():
    profile = profile_inputs(training_frame())
    alike = training_frame(rows=2_000, seed=4).to_dict("records")
    assert {d.input: d.band for d in drift(profile, alike)} == {
        "amount": "stable",
        "declines": "stable",
        "country": "stable",
    }
    shifted = training_frame(rows=2_000, seed=5)
    shifted["amount"] *= 3  # every amount tripled
    shifted["country"] = "BR"  # a country training never saw: the "other" bin
    result = {d.input: d for d in drift(profile, shifted.to_dict("records"))}
    assert result["amount"].band == "significant" and result["amount"].psi > 0.25
    assert result["amount"].live_median == pytest.approx(3 * np.nanmedian(training_frame(2_000, 5)["amount"]))
    assert result["country"].band == "significant"
    assert result["declines"].band == "stable"


def test_an_input_no_record_names_is_not_counted_and_too_few_values_give_no_figure():
    profile = profile_inputs(training_frame())
    records = [{"amount": 40.0}] * 50 + [{"amount": None, "declines": 0.0}] * 60
    result = {d.input: d for d in drift(profile, records, min_live=100)}
    assert (result["amount"].live, result["amount"].psi is not None) == (110, True)
    assert result["amount"].live_shares[-1] == pytest.approx(60 / 110)  # None counts as missing
    assert (result["declines"].live, result["declines"].psi, result["declines"].band) == (60, None, None)
    assert result["country"].live == 0


def test_psi_is_zero_for_equal_distributions_symmetric_in_its_terms_and_finite_for_empty_bins():
    assert psi([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]) == 0.0
    assert psi([0.5, 0.5, 0.0], [0.0, 0.5, 0.5]) == pytest.approx(2 * 0.4999 * np.log(0.5 / 1e-4))
    with pytest.raises(ValueError, match="3 training bins against 2 live bins"):
        psi([0.2, 0.3, 0.5], [0.5, 0.5])
    assert [band(v) for v in (0.09, 0.1, 0.249, 0.25)] == ["stable", "moderate", "moderate", "significant"]


def test_live_values_are_binned_as_the_training_values_were():
    profile = {"kind": "numeric", "edges": [1.0, 2.0], "shares": [0.3, 0.3, 0.3], "missing": 0.1}
    assert bin_counts(profile, [0.0, 1.0, 1.5, 2.0, 2.5, None, float("nan"), "x", True]) == [3, 2, 1, 3]
