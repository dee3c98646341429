"""The rule index lets a scan import only the rules its files need; it must never cost findings."""

from __future__ import annotations

import pytest

from guardrails import registry
from guardrails.engine import Engine, Settings
from guardrails.model import Kind
from guardrails.selection import select_rules
from tests.conftest import REPO


def test_rules_index_is_current() -> None:
    """Regenerate with: python -m guardrails.registry > rules/_index.py"""
    assert (REPO / "rules" / "_index.py").read_text(encoding="utf-8") == registry.render_index()


def test_index_describes_every_rule_as_its_class_does() -> None:
    indexed = {ref.id: ref for ref in registry.catalog()}
    classes = registry.all_rules()
    assert list(indexed) == [rule.id for rule in classes]
    for rule in classes:
        ref = indexed[rule.id]
        assert ref.load() is rule
        assert (ref.name, ref.category, ref.kinds) == (rule.name, rule.category, frozenset(rule.kinds))
        assert (ref.project_wide, ref.reads_failures) == (rule.project_wide, rule.reads_failures)


def test_a_catalog_that_differs_from_the_index_is_imported_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    real = registry.catalog_files()
    added = {**real, "dns/added_by_a_user.py": 1}
    monkeypatch.setattr(registry, "catalog_files", lambda: added)
    first_two = registry.all_rules()[:2]
    monkeypatch.setattr(registry, "all_rules", lambda: first_two)
    registry.catalog.cache_clear()
    try:
        assert [ref.id for ref in registry.catalog()] == ["DO001", "DO002"]
    finally:
        registry.catalog.cache_clear()


def test_engine_imports_only_the_rules_of_the_kinds_it_meets() -> None:
    engine = Engine(Settings(rules=select_rules()))
    shell = {rule.id for rule in engine.rules_for(Kind.SHELL, failed=False)}
    assert {"DO001", "DO002", "ED003"} <= shell
    assert not shell & {"DT002", "DO050", "ED001"}
    assert set(engine._instances) == shell  # nothing else was instantiated
    failed = {rule.id for rule in engine.rules_for(Kind.SHELL, failed=True)}
    assert failed == {ref.id for ref in registry.catalog() if ref.reads_failures}


def test_rule_objects_pickle_for_workers() -> None:
    import pickle

    ref = registry.catalog()[0]
    again = pickle.loads(pickle.dumps(ref))
    assert (again.id, again.kinds, again.module, again.load()) == (ref.id, ref.kinds, ref.module, ref.load())
