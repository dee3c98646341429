"""The datastore table's glob matches as fnmatch.fnmatchcase does, without its expressions."""

from __future__ import annotations

import fnmatch
import random

from guardrails.facts.datastores import BUILTIN, find_datastore, glob


def test_glob_agrees_with_fnmatchcase() -> None:
    rng = random.Random(17)
    for _ in range(20_000):
        pattern = "".join(rng.choice("ab*/?") for _ in range(rng.randint(0, 6)))
        name = "".join(rng.choice("ab/\n") for _ in range(rng.randint(0, 8)))
        assert glob(name, pattern) == fnmatch.fnmatchcase(name, pattern), (name, pattern)


def test_the_tables_image_patterns_still_find_their_families() -> None:
    found = {image: find_datastore(image) for image in ("bitnami/redis-cluster:7.2", "acme/postgres:16", "redis:7")}
    assert {image: store and store.name for image, store in found.items()} == {
        "bitnami/redis-cluster:7.2": "Redis (Bitnami)",
        "acme/postgres:16": "PostgreSQL",
        "redis:7": "Redis",
    }
    assert all(glob(pattern.replace("*", "x"), pattern) for store in BUILTIN for pattern in store.images)
