"""What Terraform makes of a string in synthesized JSON, for tests that check escaping: one reader."""

from __future__ import annotations

import re


def terraform_reads(text: str, refs: list[str] | None = None) -> str:
    """What Terraform makes of a JSON string: ``$${`` and ``%%{`` are escapes, ``${"..."}`` is constant text,
    any other ``${...}`` is an interpolation (appended to ``refs``, read as NUL); a ``%{`` directive fails."""
    out, i = [], 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            out.append(text[i + 1 : i + 3])
            i += 3
        elif text.startswith("${", i):
            end = text.index("}", i)
            expr = text[i + 2 : end]
            constant = re.fullmatch(r'"((?:[^"\\$%{}]|[$%](?!\{))*)"', expr)
            assert constant or refs is not None, f"interpolation ${{{expr}}} in {text!r}"
            if constant:
                out.append(constant.group(1))
            else:
                refs.append(expr)  # type: ignore[union-attr]
                out.append("\0")
            i = end + 1
        elif text.startswith("%{", i):
            raise AssertionError(f"template directive in {text!r}")
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def terraform_literal(text: str) -> tuple[str, list[str]]:
    """(the text as Terraform reads it, the non-constant interpolations it contains)."""
    refs: list[str] = []
    return terraform_reads(text, refs), refs
