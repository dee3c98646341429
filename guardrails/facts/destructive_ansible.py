"""Ansible modules that destroy what the shell rules' commands destroy, reported by the same
rules: a module task is the command it stands for (``postgresql_db: state=absent`` is
``dropdb``), judged with the same facts (data directories, stateful Kubernetes kinds,
throwaway names) and kept by the same guards (its ``when:``, guardrails.facts.ansible).

Sources: module documentation of community.postgresql (postgresql_db, postgresql_query),
community.mysql (mysql_db, mysql_query), community.mongodb (mongodb_shell), ansible.builtin
(file), kubernetes.core (k8s) and amazon.aws (rds_instance).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from guardrails.facts import ansible, destructive_sql
from guardrails.facts import ansible_keywords as kw
from guardrails.facts.ansible_vars import Variables, task_variables
from guardrails.facts.destructive_shell import (
    DEFAULT_DATA_DIRECTORIES,
    STATEFUL_KUBE_KINDS,
    Hit,
    Scope,
    in_data_directory,
    js_calls,
)
from guardrails.facts.shell_guards import GuardSettings
from guardrails.model import Document, Node

if TYPE_CHECKING:
    from guardrails.facts.destructive_shell import ShellDestructiveRule
    from guardrails.model import Finding
    from guardrails.rule import RuleContext


class _Task:
    """A task whose literal arguments are read with its templates rendered by its variables
    (its role's defaults and vars, its inventories' and ``group_vars/``, its play's and its own:
    ``facts/ansible_vars.py``), so a role is judged as the repository ships it."""

    def __init__(self, task: ansible.Task, variables: Variables) -> None:
        self.task, self.variables = task, variables
        self.key, self.module, self.node = task.key, task.module, task.node

    def args(self) -> dict[str, Node]:
        return self.task.args()

    def arg(self, name: str) -> str | None:
        """An argument's text, rendered; None when absent or unknown."""
        found = self.variables.scalar(self.task.args().get(name))
        return found.text if found is not None else None


def _absent(task: _Task) -> bool:
    return (task.arg("state") or "").lower() == "absent"


def _name(task: _Task, *keys: str) -> str:
    return next((value for value in (task.arg(k) for k in keys) if value is not None), "?")


def _drop_database(task: _Task, scope: Scope) -> Iterator[Hit]:
    if task.module not in ("postgresql_db", "mysql_db") or not _absent(task):
        return
    names = _name(task, "name", "db")
    if names != "?" and all(destructive_sql.disposable_name(n) for n in names.split(",")):
        return
    yield Hit(f"`{task.key}` with `state: absent` drops database {names}", f"{task.module}:{names}")


def _sql_drop(task: _Task, scope: Scope) -> Iterator[Hit]:
    if task.module not in ("postgresql_query", "mysql_query"):
        return
    query = task.args().get("query")
    texts = query.elements() if query is not None and query.is_seq else [query] if query is not None else []
    for node in texts:
        if not node.is_scalar:
            continue
        for hit in destructive_sql.drops(node.text, schema_needs_cascade=task.module == "postgresql_query"):
            yield Hit(f"`{hit.summary}` sent by `{task.key}`", f"{task.module}:{hit.summary.lower()}")


def _mongo_drop(task: _Task, scope: Scope) -> Iterator[Hit]:
    if task.module != "mongodb_shell":
        return
    script = task.args().get("eval")
    if script is not None and script.is_scalar and "dropDatabase" in js_calls(script.text):
        yield Hit(f"`dropDatabase()` run by `{task.key}`", f"{task.module}:dropDatabase")


def _file_absent(task: _Task, scope: Scope) -> Iterator[Hit]:
    if task.module != "file" or not _absent(task):
        return
    path = task.arg("path") or task.arg("dest") or task.arg("name")
    directories = [d.rstrip("/") for d in scope.options.get("data_directories", DEFAULT_DATA_DIRECTORIES)]
    if path is not None and in_data_directory(path, directories):
        yield Hit(f"`{task.key}` with `state: absent` deletes the database data directory {path}", f"file:{path}")


def _k8s_absent(task: _Task, scope: Scope) -> Iterator[Hit]:
    if task.module != "k8s" or not _absent(task):
        return
    objects: list[tuple[str, str]] = []
    kind = task.arg("kind")
    if kind is not None:
        objects.append((kind, _name(task, "name")))
    definition = task.args().get("definition") or task.args().get("resource_definition")
    for item in definition.elements() if definition is not None and definition.is_seq else [definition]:
        if item is not None and item.is_map and item.get("kind") is not None:
            name = item.path("metadata", "name")
            objects.append((item.get("kind").text, name.text if name is not None else "?"))  # type: ignore[union-attr]
    for kind_text, name in objects:
        stateful = STATEFUL_KUBE_KINDS.get(kind_text.lower())
        if stateful is not None and not destructive_sql.disposable_name(name):
            yield Hit(
                f"`{task.key}` with `state: absent` deletes {stateful} {name} and its data", f"k8s:{stateful}:{name}"
            )


def _rds_absent(task: _Task, scope: Scope) -> Iterator[Hit]:
    if task.module not in ("rds_instance", "rds_cluster") or not _absent(task):
        return
    if (task.arg("skip_final_snapshot") or "").lower() not in kw.BOOLEANS_TRUE:
        return
    name = _name(task, "db_instance_identifier", "id", "db_cluster_identifier", "cluster_id")
    yield Hit(f"`{task.key}` deletes {name} with `skip_final_snapshot: true`", f"{task.module}:{name}")


TaskDetector = Callable[[_Task, Scope], Iterator[Hit]]

# Shell detector pattern (ShellDestructiveRule.pattern) -> the module tasks that do the same.
DETECTORS: dict[str, TaskDetector] = {
    "sql-drop": _sql_drop,
    "dropdb": _drop_database,
    "mongo-drop": _mongo_drop,
    "rm-data-dir": _file_absent,
    "kubectl-delete": _k8s_absent,
    "rds-delete": _rds_absent,
}


def _at(task: ansible.Task) -> Node:
    """The node a finding points at: the module key."""
    return next((k for k, _ in task.node.value if k.is_scalar and k.text == task.key), task.node)


def check(
    rule: ShellDestructiveRule,
    doc: Document,
    pattern: str,
    settings: GuardSettings,
    scope: Scope,
    ctx: RuleContext,
) -> Iterator[Finding]:
    detector = DETECTORS.get(pattern)
    if detector is None:
        return
    for task in ansible.tasks(doc):
        for hit in detector(_Task(task, task_variables(doc, task, ctx.project)), scope):
            if ansible.guard(doc, task, settings, ctx.project) is not None:
                continue
            message = f"{hit.what}; nothing in the playbook keeps it from production (no `when:` or confirmation)"
            yield rule.finding(doc, _at(task).span, message, anchor=f"{task.label}/{hit.anchor}", ctx=ctx)
