"""Evaluate Terraform JSON string templates the way ``terraform apply`` would, for the moto oracle.

Terraform reads every string in ``*.tf.json`` as a template: ``$${`` and ``%%{`` are escapes for literal
``${`` and ``%{``, and ``${expr}`` is an interpolation. To check that DynamoDB ends up with exactly the
names, keys and tags the user wrote, the moto test has to send what Terraform would send, not the raw
template text. Interpolations are resolved by a callback (cross-stack references to other tables); a
template directive (``%{ ... }``) in synthesized output would be a bug, so it raises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


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
