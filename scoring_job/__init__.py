"""The scoring job: features, live PMML models, scores and alerts."""
