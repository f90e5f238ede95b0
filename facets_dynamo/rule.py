"""One diagnostic code's documentation: the :class:`Rule` a plugin's ``rules`` hook answers (in the contract).

Low in the package (no imports of ours but diagnostics) so the hookspecs and the contract can name it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

from .diagnostics import Severity

HOST = "facets-dynamo"  # the ``plugin`` of the host's own rules
RULES_URL_ENV = "FACETS_DYNAMO_RULES_URL"
DISTRIBUTION = "facets-dynamo"


@lru_cache(maxsize=1)
def documentation_url() -> str | None:
    """The project's documentation: ``Documentation`` in ``[project.urls]`` of ``pyproject.toml``, as the
    installed distribution's metadata has it (``Project-URL: Documentation, ...``). The one place the project
    names where it is published: a fork or an internal mirror changes it there. None when the package is not
    installed or declares none."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        entries = metadata(DISTRIBUTION).get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    for entry in entries:
        label, _, url = str(entry).partition(",")
        if label.strip().lower() == "documentation" and url.strip():
            return url.strip().rstrip("/")
    return None


def rules_url() -> str | None:
    """Where ``docs/rules.md`` is published (SARIF's helpUri points at a section of it): the environment
    variable ``FACETS_DYNAMO_RULES_URL`` when set, else ``rules.md`` under :func:`documentation_url`."""
    docs = documentation_url()
    return os.environ.get(RULES_URL_ENV) or (f"{docs}/rules.md" if docs else None)


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

    def help_uri(self) -> str | None:
        """This rule's section of the published ``docs/rules.md`` (None when nobody says where that is)."""
        base = rules_url()
        return f"{base}#{self.anchor}" if base else None

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
