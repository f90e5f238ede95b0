"""One diagnostic code's documentation: the :class:`Rule` a plugin's ``rules`` hook answers (in the contract).

Low in the package (no imports of ours but diagnostics) so the hookspecs and the contract can name it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .diagnostics import Severity

HOST = "facets-dynamo"  # the ``plugin`` of the host's own rules
RULES_URL_ENV = "FACETS_DYNAMO_RULES_URL"
# Where docs/rules.md is published; SARIF helpUri points at a section of it. Override with the environment
# variable (e.g. a fork's or an internal mirror's URL).
DEFAULT_RULES_URL = "https://github.com/facets-dynamo/facets-dynamo/blob/main/docs/rules.md"


@dataclass(frozen=True)
class Rule:
    """The documentation of one diagnostic code, as ``docs/rules.md``, ``explain`` and SARIF show it.

    ``title`` is a short name (SARIF ``name``, a heading), ``summary`` one sentence of what is checked,
    ``why`` why DynamoDB, the provider or good practice cares; ``invalid_example`` / ``fixed_example`` are
    short document fragments (JSON, shown as code). ``checkov`` / ``trivy`` name the equivalent check of
    those scanners, when there is one. ``plugin`` is filled in by the host (who answered it).
    """

    code: str
    title: str
    summary: str
    why: str = ""
    invalid_example: str = ""
    fixed_example: str = ""
    default_severity: Severity = Severity.ERROR
    checkov: str | None = None
    trivy: str | None = None
    references: tuple[str, ...] = ()
    enabled_by_default: bool = True  # False: an opt-in check (a policy pack), on with ``enable`` in the config
    plugin: str = field(default="", compare=False)

    @property
    def anchor(self) -> str:
        """The Markdown heading anchor of this rule in ``docs/rules.md`` (GitHub's slug of ``CODE``)."""
        return self.code.lower()

    def help_uri(self) -> str:
        return f"{os.environ.get(RULES_URL_ENV) or DEFAULT_RULES_URL}#{self.anchor}"

    def markdown(self, level: int = 3) -> str:
        """This rule's section of ``docs/rules.md`` (and what ``explain`` prints)."""
        lines = [f"{'#' * level} {self.code}", "", f"**{self.title}** ({self.default_severity} by default"
                 + (f"; from plugin `{self.plugin}`" if self.plugin and self.plugin != HOST else "") + ")", "",
                 self.summary]
        if self.why:
            lines += ["", f"Why: {self.why}"]
        if not self.enabled_by_default:
            lines += ["", f"Off unless enabled: `enable = [\"{self.code}\"]` in the configuration."]
        mapped = [f"Checkov `{self.checkov}`" if self.checkov else "", f"Trivy `{self.trivy}`" if self.trivy else ""]
        if any(mapped):
            lines += ["", "Same check as: " + ", ".join(m for m in mapped if m) + "."]
        if self.invalid_example:
            lines += ["", "Invalid:", "", "```json", self.invalid_example.strip("\n"), "```"]
        if self.fixed_example:
            lines += ["", "Fixed:", "", "```json", self.fixed_example.strip("\n"), "```"]
        for ref in self.references:
            lines += ["", f"See {ref}"]
        return "\n".join(lines) + "\n"
