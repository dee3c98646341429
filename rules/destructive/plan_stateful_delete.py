"""A Terraform plan that deletes or replaces a database, bucket or disk."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import PlanDocument
from guardrails.facts.destructive_incidents import AWS_ELB_2012, DIGITALOCEAN_2017
from guardrails.facts.stateful import is_database, is_replica_state, stateful
from guardrails.model import Category, Finding, Kind, Node, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext

_PLAN = (
    '{\n  "format_version": "1.2",\n  "terraform_version": "1.9.5",\n  "resource_changes": [\n    {\n'
    '      "address": "{address}",\n      "mode": "managed",\n      "type": "{type}",\n      "name": "main",\n'
    '      "change": {\n        "actions": {actions}\n      }\n    }\n  ]\n}\n'
)


def _plan(address: str, actions: str) -> str:
    return _PLAN.replace("{address}", address).replace("{type}", address.split(".")[0]).replace("{actions}", actions)


class PlanDeletesStatefulResource(Rule):
    id = "DO057"
    name = "plan-deletes-stateful-resource"
    title = "Terraform plan deletes or replaces a stateful resource"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.TERRAFORM_PLAN})
    incidents = (AWS_ELB_2012, DIGITALOCEAN_2017)
    rationale = (
        "The plan (`terraform show -json tfplan`) is the last point where a deletion can be stopped before "
        'it happens. A `delete` action, or a replacement (`["delete", "create"]`, or `["create", '
        '"delete"]` with create_before_destroy), on a database, bucket, disk, table or file system destroys '
        "its data: a renamed resource, a changed immutable argument or a removed block is enough. Critical "
        "for databases, high for other stateful resources. `update`, `read`, `no-op` and `forget` (a "
        "`removed` block with `destroy = false`) delete nothing and are not reported, and neither is a read "
        "replica (its `before` values name a source database): the source keeps the data."
    )
    remediation = (
        "Stop and review: for a rename use a `moved` block, for a resource leaving management use a "
        "`removed { lifecycle { destroy = false } }` block, for an immutable change plan a migration "
        "(snapshot, restore, switch over). Apply a planned deletion only as its own approved change."
    )
    bad = (
        Bad("tfplan.json", _plan("aws_db_instance.main", '["delete", "create"]'), 6, note="a replacement"),
        Bad("plan.json", _plan("aws_s3_bucket.main", '["delete"]'), 6),
    )
    good = (
        Good("tfplan.json", _plan("aws_db_instance.main", '["update"]'), note="an in-place update"),
        Good("tfplan.json", _plan("aws_instance.main", '["delete", "create"]'), note="a stateless instance"),
        Good("tfplan.json", _plan("aws_db_instance.main", '["forget"]'), note="removed from state, not deleted"),
        Good(
            "tfplan.json",
            _plan("aws_db_instance.main", '["delete"],\n        "before": {"replicate_source_db": "orders"}'),
            note="a read replica: its source keeps the data",
        ),
    )

    def check(self, doc: PlanDocument, ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
        for root in doc.roots:
            changes = root.get("resource_changes")
            for change in changes.elements() if changes is not None else []:
                finding = self._change(doc, change, ctx)
                if finding is not None:
                    yield finding

    def _change(self, doc: PlanDocument, change: Node, ctx: RuleContext) -> Finding | None:
        if not change.is_map or _text(change.get("mode")) not in ("managed", ""):
            return None
        resource_type = _text(change.get("type"))
        entry = stateful(resource_type)
        actions_node = change.path("change", "actions")
        actions = [a.text for a in actions_node.elements()] if actions_node is not None else []
        if entry is None or "delete" not in actions:
            return None
        before = change.path("change", "before")
        if before is not None and is_replica_state(resource_type, before.to_python()):
            return None
        address_node = change.get("address")
        address = _text(address_node) or resource_type
        what = "replaces (deletes and re-creates)" if "create" in actions else "deletes"
        reason = _text(change.get("action_reason"))
        paths = change.path("change", "replace_paths")
        forced = sorted({".".join(str(p) for p in path.to_python()) for path in paths.elements()} if paths else set())
        detail = f"; forced by {', '.join(forced)}" if forced else (f" ({reason})" if reason else "")
        shown = ", ".join(f'"{a}"' for a in actions)
        message = f"the plan {what} {address} ({entry[0]}): actions [{shown}]{detail}; its data is lost"
        span = (address_node or change).span
        severity = Severity.CRITICAL if is_database(resource_type) else Severity.HIGH
        return self.finding(doc, span, message, anchor=address, ctx=ctx, severity=severity)


def _text(node: Node | None) -> str:
    return node.text if node is not None and node.is_scalar else ""
