"""PyYAML as every reader of YAML here gets it (parsers, configuration, suppressions).

Imported with its module-level regular expressions compiled at first use
(``deferred_re.deferring``): a scan goes through libyaml's C loader, which uses none of the
pure-Python reader's, and importing PyYAML otherwise costs a small manifest's scan twice over.
"""

from guardrails import deferred_re

with deferred_re.deferring("yaml"):
    import yaml

__all__ = ["yaml"]
