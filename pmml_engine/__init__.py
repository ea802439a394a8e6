"""PMML engine shared by the scoring job, the API and the CLI: safe loading, schema, evaluation."""

from pmml_engine.document import PmmlDocument, PmmlError, parse_pmml
from pmml_engine.engine import Scorer, load_scorer
from pmml_engine.reference import ReferenceModel, load_model

__all__ = ["PmmlDocument", "PmmlError", "ReferenceModel", "Scorer", "load_model", "load_scorer", "parse_pmml"]
