"""Why a model scored an event as it did (one-at-a-time reasons against a baseline per input), and whether
the inputs it sees live still look like the ones it was trained on (population stability index)."""

from explain.drift import BANDS, InputDrift, LiveInputs, band, drift, psi
from explain.profile import MISSING, bin_of, profile_inputs
from explain.reasons import Baseline, Contribution, ExplainError, Explanation, baselines, explain

__all__ = [
    "BANDS",
    "MISSING",
    "Baseline",
    "Contribution",
    "ExplainError",
    "Explanation",
    "InputDrift",
    "LiveInputs",
    "band",
    "baselines",
    "bin_of",
    "drift",
    "explain",
    "profile_inputs",
    "psi",
]
