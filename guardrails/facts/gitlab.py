"""GitLab CI facts shared by the engine (embedded scripts) and the rules."""

from __future__ import annotations

# Top-level keys of .gitlab-ci.yml that are not jobs: the global keywords and the
# deprecated globals (GitLab CI/CD YAML syntax reference).
GLOBAL_KEYWORDS = frozenset(
    {
        "default",
        "include",
        "stages",
        "variables",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
    }
)
