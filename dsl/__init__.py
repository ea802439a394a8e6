"""Feature DSL: parse, check and compile feature definitions (issue: Feature DSL)."""
