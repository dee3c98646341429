"""guardrails: an infrastructure safety pre-flight linter."""

__version__ = "0.1.0"
