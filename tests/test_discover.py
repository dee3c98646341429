"""Discovery never leaves the tree, honours .gitignore, and lists what it skips."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from guardrails.discover import discover
from guardrails.engine import Engine, Settings
from guardrails.registry import all_rules


def _scan(root: Path, *paths: str, max_size: int = 10_000_000):  # type: ignore[no-untyped-def]
    engine = Engine(Settings(rules=all_rules(), max_file_size=max_size), cwd=root)
    return engine.scan([Path(p) for p in paths] or [Path(".")])


def test_gitignore_and_default_excludes(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(
        {
            ".gitignore": "ignored/\n*.gen.yml\n",
            "ignored/compose.yml": "services: {}\n",
            "a.gen.yml": "x: 1\n",
            "node_modules/pkg/compose.yml": "services: {}\n",
            ".terraform/modules/x/main.tf": 'resource "a" "b" {}\n',
            "sub/.gitignore": "local.sh\n",
            "sub/local.sh": "echo hi\n",
            "sub/kept.sh": "echo hi\n",
            "compose.yml": "services: {}\n",
        }
    )
    found = sorted(c.display for c in discover([Path(".")], cwd=root).candidates)
    assert found == [".gitignore", "compose.yml", "sub/.gitignore", "sub/kept.sh"]


def test_explicit_files_are_scanned_even_if_ignored(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({".gitignore": "*.sh\n", "run.sh": "echo hi\n"})
    assert [c.display for c in discover([Path("run.sh")], cwd=root).candidates] == ["run.sh"]


def test_symlinks_never_leave_the_tree(repo, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.sh").write_text("rm -rf /var/lib/postgresql\n")
    root = repo({"inside.sh": "echo ok\n", "dir/a.sh": "echo a\n"})
    os.symlink(outside / "secret.sh", root / "link-out.sh")
    os.symlink(root / "inside.sh", root / "link-in.sh")
    os.symlink(root / "dir", root / "dir/loop")
    os.symlink(root / "missing", root / "broken.sh")
    result = _scan(root)
    skipped = {s.path: s.detail for s in result.skipped}
    assert skipped["link-out.sh"] == "target outside the scanned tree"
    assert skipped["broken.sh"] == "broken symlink"
    assert skipped["dir/loop"] == "directory symlinks are not followed"
    assert not any(f.path == "link-out.sh" for f in result.findings)
    assert result.files_scanned == 2  # inside.sh (once, link-in.sh is the same file) and dir/a.sh


def test_size_cap_binary_and_unreadable_are_listed(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"big.sh": "echo " + "x" * 5000 + "\n", "ok.sh": "echo hi\n"})
    (root / "bin.sh").write_bytes(b"\x7fELF\x00\x00\x00binary")
    (root / "locked.sh").write_text("echo hi\n")
    (root / "locked.sh").chmod(0)
    result = _scan(root, max_size=1000)
    reasons = {s.path: s.reason for s in result.skipped}
    assert reasons["big.sh"] == "too-large"
    assert reasons["bin.sh"] == "binary"
    if os.geteuid() != 0:  # root reads anything
        assert reasons["locked.sh"] == "unreadable"
    assert result.files_scanned >= 1


def test_helm_templates_reported_as_not_analysed(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(
        {"c/Chart.yaml": "name: c\n", "c/templates/svc.yaml": "{{- if .Values.x }}\nkind: Service\n{{- end }}\n"}
    )
    result = _scan(root)
    assert [(s.path, s.reason) for s in result.skipped] == [("c/templates/svc.yaml", "helm-template")]
    assert "helm template" in result.skipped[0].detail
    assert not result.findings


@pytest.mark.parametrize(
    "lines",
    [
        [
            "*.tfstate*",
            "!keep.tfstate",
            "build/",
            "/dist",
            "**/cache/**",
            "docs/**/*.md",
            "!docs/keep.md",
            ".env*",
            "!.env.example",
            "node?modules",
            "[Ll]ogs",
            "secrets/*",
            "!secrets/README",
            "# comment",
            "",
            r"\#literal",
            "a/**/b",
        ],
        ["*/"],  # pathspec 1.x: an unanchored expression, searched
        ["**/", "!build/"],
        ["**/*/**"],
        ["/**/", "main.tf"],
    ],
    ids=["mixed", "any-directory", "any-directory-negated", "inside-any-directory", "rooted-any"],
)
def test_gitignore_prefilter_agrees_with_pathspec(lines: list[str]) -> None:
    """The one-expression prefilter only skips paths no pattern matches: on every path below,
    the answer is pathspec's (negations, directory-only, anchored, unanchored and ``**`` patterns)."""
    import itertools

    import pathspec

    from guardrails.discover import Gitignore

    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    ignore = Gitignore(Path("/repo"), spec)
    assert ignore.anything is not None
    parts = [
        "build",
        "dist",
        "cache",
        "docs",
        "x.md",
        "keep.md",
        "keep.tfstate",
        "a.tfstate.backup",
        ".env",
        ".env.example",
        "node_modules",
        "Logs",
        "secrets",
        "README",
        "#literal",
        "a",
        "b",
        "main.tf",
    ]
    checked = 0
    for depth in (1, 2, 3):
        for combo in itertools.product(parts, repeat=depth):
            for suffix in ("", "/"):
                path = "/".join(combo) + suffix
                assert ignore.matches(path) == bool(spec.match_file(path)), path
                checked += 1
    assert checked > 10_000


def test_a_gitignore_line_git_cannot_read_is_skipped_as_git_does(tmp_path: Path) -> None:
    """``foo\\`` (a trailing backslash) is no pattern to git; it used to stop the scan."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("foo\\\nignored/\n", encoding="utf-8")
    for name in ("ignored", "kept"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "run.sh").write_text("#!/bin/sh\necho hi\n", encoding="utf-8")
    found = discover([tmp_path], cwd=tmp_path)
    assert [c.display for c in found.candidates] == [".gitignore", "kept/run.sh"]


def test_a_repository_reached_through_a_linked_directory_is_judged_as_through_its_real_path(
    tmp_path: Path,
) -> None:
    """``/tmp`` is a link on macOS: a module call's ``source = "./modules/db"`` must name the
    directory that was scanned, whichever way the repository was reached."""
    repo = tmp_path / "real" / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "modules" / "db").mkdir(parents=True)
    (repo / "modules" / "db" / "main.tf").write_text(
        'variable "deletion_protection" {\n  default = true\n}\n\n'
        'resource "aws_db_instance" "this" {\n  identifier          = "orders"\n'
        "  deletion_protection = var.deletion_protection\n}\n",
        encoding="utf-8",
    )
    (repo / "main.tf").write_text(
        'module "db" {\n  source              = "./modules/db"\n  deletion_protection = false\n}\n', encoding="utf-8"
    )
    (tmp_path / "link").symlink_to(tmp_path / "real")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    engine = Engine(Settings(rules=all_rules(), use_cache=False), cwd=elsewhere)
    through_link = [(f.rule_id, f.path, f.span.line) for f in engine.scan([tmp_path / "link" / "repo"]).findings]
    direct = [(f.rule_id, f.path, f.span.line) for f in engine.scan([repo]).findings]
    assert ("DO050", "../real/repo/main.tf", 3) in direct
    assert through_link == direct
