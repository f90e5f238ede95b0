"""Keep user text literal in Terraform JSON, and splice in real references where the user wrote one.

Terraform JSON evaluates ``${...}`` and ``%{...}`` inside *every* string. A user's tag value of
``"${file("/etc/passwd")}"`` must reach Terraform as that literal text, i.e. as ``"$${file(...)}"``.
The only interpolations we let through are blueprint references ``${kind.name.out.field}``, which the
synthesizer replaces with engine tokens (cross-stack references) before any escaping happens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# ${dynamodb.locks.out.attributes.table_arn} -> kind, name, field path
REFERENCE = re.compile(r"\$\{([A-Za-z0-9_-]+)\.([A-Za-z0-9_.-]+?)\.out\.([A-Za-z0-9_.]+)\}")


# The CDK engine resolves ``${TfToken[...]}``, ``#{TfToken[...]}`` and ``&{TfToken[...]}`` in every string it
# synthesizes: user text holding one would be swapped for an unrelated value or crash synthesis ("Unrecognized
# Token Key"). Spelling the word through a constant interpolation hides it from the engine while Terraform
# still reads the very same literal text.
_ENGINE_TOKEN = "{TfToken["
_ENGINE_TOKEN_SAFE = '{${"TfToken["}'


def escape(text: str) -> str:
    """Make ``text`` a literal Terraform string."""
    return text.replace("${", "$${").replace("%{", "%%{").replace(_ENGINE_TOKEN, _ENGINE_TOKEN_SAFE)


@dataclass(frozen=True)
class Ref:
    """Text that is already Terraform-ready (an engine token, or escaped text around one).

    Plugins get ``Ref`` values from the host (resource attributes, resolved references) and put them in
    bodies unchanged; every plain ``str`` in a body is user text and gets escaped.

    An attribute of a resource is written as its plain interpolation (``${aws_dynamodb_table.table.arn}``),
    which is only right inside its own stack; ``remote`` gives the spelling for another stack (engine tokens,
    which make the engine wire a cross-stack reference). Asking the engine for a token only when one is
    needed saves a Node round trip for each attribute used.
    """

    text: str
    remote: Callable[[], Ref] | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return self.text

    def for_other_stack(self) -> Ref:
        return self.remote() if self.remote is not None else self

    @staticmethod
    def concat(*parts: str | Ref) -> Ref:
        joined = Ref._join(parts)
        if not any(isinstance(p, Ref) and p.remote is not None for p in parts):
            return joined
        return Ref(joined.text, lambda: Ref._join([p.for_other_stack() if isinstance(p, Ref) else p for p in parts]))

    @staticmethod
    def _join(parts: Iterable[str | Ref]) -> Ref:
        merged: list[str | Ref] = []
        for part in parts:  # adjacent literals are escaped together: "$" then "{x}" is the text "${x}"
            if isinstance(part, str) and merged and isinstance(merged[-1], str):
                merged[-1] += part
            else:
                merged.append(part)
        out = ""
        for part in merged:
            text = part.text if isinstance(part, Ref) else escape(part)
            if (text.startswith("{") and out.endswith(("$", "%"))) or (text.startswith("${") and out.endswith("$")):
                out = _seal(out)
            out += text
        return Ref(out)


def _seal(text: str) -> str:
    """Move a trailing run of ``$``/``%`` into a constant interpolation, so that it cannot pair with the
    ``{`` that follows: ``"US$" + ${ref}`` would otherwise read as the escape ``$${`` and the reference
    would reach Terraform as plain text."""
    head = text.rstrip("$%")
    return head + '${"' + text[len(head):] + '"}'


def without_references(text: str) -> str:
    """``text`` with every blueprint reference ``${kind.name.out.field}`` cut out: what is left is what
    the user wrote literally (e.g. to check the characters a tag value may hold)."""
    return REFERENCE.sub("", text)


def render(text: str, resolve: Callable[[str, str, str], str | Ref | None]) -> str:
    """Escape ``text``, replacing each reference that ``resolve(kind, name, field)`` knows.

    An unknown reference stays literal text (escaped); validation reports it before synthesis runs.
    """
    parts: list[str | Ref] = []
    last = 0
    for match in REFERENCE.finditer(text):
        value = resolve(match.group(1), match.group(2), match.group(3))
        if value is None:
            continue
        parts.append(text[last : match.start()])
        parts.append(value)
        last = match.end()
    parts.append(text[last:])
    return Ref.concat(*parts).text
