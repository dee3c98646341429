"""Project: the sibling files cross-file checks read, through symlinks, with and without
recording the reads for the cache."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from guardrails import pipeline
from guardrails.cache import TrackingProject
from guardrails.facts.terraform import module_for
from guardrails.project import Project, scan_root

MAIN = 'resource "aws_db_instance" "db" {\n  skip_final_snapshot = var.skip\n}\n'


@pytest.mark.parametrize("project_type", [Project, TrackingProject])
def test_siblings_follow_symlinks_inside_the_root_and_pass_over_loops(
    project_type: type[Project], repo: Callable[[dict[str, str]], Path]
) -> None:
    root = repo({"m/main.tf": MAIN, "shared/vars.tf": 'variable "skip" {\n  default = true\n}\n'})
    os.symlink("../shared/vars.tf", root / "m" / "variables.tf")
    os.symlink("loop.tf", root / "m" / "loop.tf")
    doc = pipeline.load(root / "m/main.tf", "m/main.tf", 1 << 20).document
    assert doc is not None
    project = project_type(root, root, 1 << 20)
    project.add(doc)
    if isinstance(project, TrackingProject):
        project.start()
    assert [d.path for d in project.siblings(doc, (".tf",))] == ["m/main.tf", "shared/vars.tf"]
    resolved = module_for(doc, project).resolve(doc.blocks[0].attributes["skip_final_snapshot"].expr)
    assert (resolved.value, [o.path for o in resolved.origins]) == (True, ["shared/vars.tf"])
    if isinstance(project, TrackingProject):
        files = project.stop().files
        assert [path for path, _ in files] == ["m/loop.tf", "m/main.tf", "shared/vars.tf"]


def test_read_bytes_reads_a_file_up_to_the_limit_and_nothing_over_it(tmp_path: Path) -> None:
    """Read by the file's size, not the limit's (a 10 MiB buffer per file cost more than the read)."""
    project = Project(tmp_path, tmp_path, 8)
    for name, data in (("empty", b""), ("at", b"12345678"), ("over", b"123456789")):
        (tmp_path / name).write_bytes(data)
    assert project.read_bytes(tmp_path / "empty") == b""
    assert project.read_bytes(tmp_path / "at") == b"12345678"
    assert project.read_bytes(tmp_path / "over") is None
    assert project.read_bytes(tmp_path / "missing") is None


def test_the_repository_is_listed_once_for_every_walk_of_a_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for rel in ("b/main.tf", "a/terragrunt.hcl", "a/x.tf", ".hidden/h.tf", "node_modules/n.tf", "top.tf"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("", encoding="utf-8")
    listed = []
    scandir = os.scandir
    monkeypatch.setattr("guardrails.project.os.scandir", lambda top: listed.append(str(top)) or scandir(top))
    shared: dict[object, object] = {}
    first, second = Project(tmp_path, tmp_path, 1000, shared), Project(tmp_path, tmp_path, 1000, shared)
    relative = [str(p.relative_to(tmp_path)) for p in first.walk((".tf",))]
    assert relative == ["top.tf", "a/x.tf", "b/main.tf"]
    assert [p.name for p in second.walk(("terragrunt.hcl",))] == ["terragrunt.hcl"]
    assert listed.count(str(first.root)) == 1


def test_the_root_of_a_scan_does_not_depend_on_the_order_of_its_paths(tmp_path: Path) -> None:
    tmp_path = tmp_path.resolve()  # roots are real paths (/tmp is a link on macOS)
    for rel in ("a/x/f.env", "a/y/g.env", "repo/.git/HEAD", "repo/m/main.tf", "repo/n/vars.tf"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    loose = [tmp_path / "a/x/f.env", tmp_path / "a/y/g.env"]
    assert scan_root(loose) == scan_root(loose[::-1]) == tmp_path / "a"
    assert scan_root([tmp_path / "a/x/f.env"]) == tmp_path / "a/x"  # one path: its directory, as before
    in_repo = [tmp_path / "repo/m/main.tf", tmp_path / "repo/n/vars.tf"]
    assert scan_root(in_repo) == scan_root(in_repo[::-1]) == tmp_path / "repo"
    # A repository and a loose file (`scan . ../plan.json`): the repository, whose files the
    # rules read together, however the loose file's directory sorts
    mixed = [tmp_path / "repo/m/main.tf", tmp_path / "a/x/f.env"]
    assert scan_root(mixed) == scan_root(mixed[::-1]) == tmp_path / "repo"
