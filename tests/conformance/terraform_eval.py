"""Evaluate Terraform JSON string templates the way ``terraform apply`` would, for the moto oracle.

Terraform reads every string in ``*.tf.json`` as a template: ``$${`` and ``%%{`` are escapes for literal
``${`` and ``%{``, and ``${expr}`` is an interpolation. To check that DynamoDB ends up with exactly the
names, keys and tags the user wrote, the moto test has to send what Terraform would send, not the raw
template text. Interpolations are resolved by a callback (cross-stack references to other tables); a
template directive (``%{ ... }``) in synthesized output would be a bug, so it raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .corpus import without_metadata

ACCOUNT = "123456789012"


class TemplateError(ValueError):
    """The string holds template syntax that synthesized output must never contain."""


def render(text: str, resolve: Callable[[str], str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("$${", i) or text.startswith("%%{", i):
            out.append(text[i + 1 : i + 3])
            i += 3
        elif text.startswith("${", i):
            end = _closing(text, i + 2)
            out.append(resolve(text[i + 2 : end].strip()))
            i = end + 1
        elif text.startswith("%{", i):
            raise TemplateError(f"template directive in synthesized string: {text!r}")
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _closing(text: str, start: int) -> int:
    depth = 1
    for j in range(start, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    raise TemplateError(f"unterminated interpolation in {text!r}")


def evaluate(value: Any, resolve: Callable[[str], str]) -> Any:
    """Apply :func:`render` to every string (keys included) of a JSON value."""
    if isinstance(value, str):
        return render(value, resolve)
    if isinstance(value, dict):
        return {render(k, resolve): evaluate(v, resolve) for k, v in value.items()}
    if isinstance(value, list):
        return [evaluate(v, resolve) for v in value]
    return value


class TerraformState:
    """Resolves the interpolations Terraform would resolve in a set of stacks (cross-stack references)."""

    REMOTE = re.compile(r"^data\.terraform_remote_state\.([^.]+)\.outputs\.([^.]+)$")
    TABLE = re.compile(r"^aws_dynamodb_table\.([^.]+)\.(name|arn)$")

    def __init__(self, stacks: dict[str, dict[str, Any]], region: str) -> None:
        self.stacks = stacks
        self.region = region

    def resolve(self, stack: str, expr: str) -> str:
        body = self.stacks[stack]
        if m := self.TABLE.match(expr):
            name = evaluate(body["resource"]["aws_dynamodb_table"][m.group(1)]["name"],
                            lambda e: self.resolve(stack, e))
            return name if m.group(2) == "name" else f"arn:aws:dynamodb:{self.region}:{ACCOUNT}:table/{name}"
        if m := self.REMOTE.match(expr):
            config = body["data"]["terraform_remote_state"][m.group(1)]["config"]["path"]
            target = Path(config).parent.name  # ../<stack>/terraform.tfstate
            value = self.stacks[target]["output"][m.group(2)]["value"]
            return evaluate(value, lambda e: self.resolve(target, e))
        raise AssertionError(f"unexpected interpolation in stack {stack}: ${{{expr}}}")

    def table(self, stack: str, rid: str) -> dict[str, Any]:
        block = without_metadata(self.stacks[stack]["resource"]["aws_dynamodb_table"][rid])
        return evaluate(block, lambda e: self.resolve(stack, e))

