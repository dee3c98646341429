"""guardrails: an infrastructure safety pre-flight linter."""

__version__ = "0.1.0"
# Where the project lives; reports link each rule to its section of docs/rules.md here.
HOMEPAGE = "https://github.com/guardrails-lint/guardrails"
DOCS = f"{HOMEPAGE}/blob/v{__version__}/docs"
RULES_DOC = f"{DOCS}/rules.md"


def rule_doc_url(rule_id: str, name: str) -> str:
    """The rule's section of docs/rules.md (its heading's anchor, as GitHub renders it)."""
    return f"{RULES_DOC}#{rule_id.lower()}-{name}"
