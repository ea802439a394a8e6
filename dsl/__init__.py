"""Feature DSL (../shared/DSL.md): parse and check feature files, compute their features per key."""

from dsl.checker import check
from dsl.engine import ReferenceEngine
from dsl.errors import DslError, DslSemanticError, DslSyntaxError
from dsl.parser import parse
from dsl.source import check_file

__all__ = ["DslError", "DslSemanticError", "DslSyntaxError", "ReferenceEngine", "check", "check_file", "parse"]
