"""Feature DSL: parse and check feature definitions (../shared/DSL.md).

The incremental engine and `dsl eval` come next (issue: Feature DSL); this package parses and checks.
"""

from dsl.checker import check
from dsl.errors import DslError, DslSemanticError, DslSyntaxError
from dsl.parser import parse
from dsl.source import check_file

__all__ = ["DslError", "DslSemanticError", "DslSyntaxError", "check", "check_file", "parse"]
