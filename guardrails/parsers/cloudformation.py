"""A CloudFormation or SAM template, YAML or JSON, to positioned nodes.

YAML keeps the short-form intrinsic functions as tags on their nodes (``!Ref Env`` is a
scalar tagged ``!Ref``, ``!If [c, a, b]`` a sequence tagged ``!If``), with their positions;
``guardrails.facts.cloudformation`` reads them and the long forms (``{"Ref": ...}``,
``{"Fn::If": [...]}``) alike. A JSON template is read by the strict JSON parser.
"""

from __future__ import annotations

from guardrails.detect import is_json_text
from guardrails.documents import TreeDocument
from guardrails.model import Kind
from guardrails.parsers import json_tree, yaml_tree


def parse(path: str, text: str, kind: Kind) -> TreeDocument:
    if is_json_text(path, text):
        return json_tree.parse(path, text, kind)
    return yaml_tree.parse(path, text, kind)
