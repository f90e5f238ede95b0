"""Diagnostics as SARIF 2.1.0, for GitHub code scanning, GitLab and Azure DevOps.

Written by hand (a dict of plain JSON): the Python SARIF object models (sarif-om, unmaintained since 2019,
needs jschema-to-python to serialize; sarif-pydantic, young) would add a dependency for a few dozen lines.
``tests/ci/test_sarif.py`` checks the output against the properties the specification requires and GitHub
reads. One run; one rule per code that occurs (with the rule's metadata from the rulebook when it has an
entry); each result with its level, message, a location relative to the working directory and a
``partialFingerprints`` value that does not depend on line numbers, so code scanning follows a problem
across commits that move it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from .diagnostics import Diagnostic
from .rule import documentation_url
from .rulebook import Rulebook

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT = "facetsDynamo/v1"
SECURITY_SEVERITY = {"error": "7.0", "warning": "5.0", "info": "2.0"}


def artifact(file: str, cwd: Path) -> dict[str, Any] | None:
    """The artifactLocation of ``file``: relative to ``cwd`` (uriBaseId %SRCROOT%) when it is inside it,
    a file: URI otherwise; None for pseudo-files such as ``<engine>`` or ``--env``."""
    if not file or file.startswith("<") or file.startswith("--"):
        return None
    path = Path(file)
    absolute = path if path.is_absolute() else (cwd / path)
    try:
        relative = PurePosixPath(absolute.resolve().relative_to(cwd.resolve()).as_posix())
    except (ValueError, OSError):
        return {"uri": absolute.resolve().as_uri()}
    return {"uri": quote(str(relative)), "uriBaseId": "%SRCROOT%"}


def fingerprint(d: Diagnostic, location: dict[str, Any] | None) -> str:
    """Stable across commits: the code, the file and the JSON pointer (not the line, not the message, whose
    numbers may change)."""
    where = location["uri"] if location else d.file
    return hashlib.sha256(f"{d.code}\0{where}\0{d.path}".encode()).hexdigest()[:32]


def to_sarif(diagnostics: Iterable[Diagnostic], rulebook: Rulebook, version: str, cwd: Path | None = None,
             ) -> dict[str, Any]:
    cwd = cwd or Path.cwd()
    items = list(diagnostics)
    codes = sorted({d.code for d in items})
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        rule = rulebook.get(code)
        entry: dict[str, Any] = {"id": code}
        if rule is not None:
            entry |= {"name": _pascal(rule.title), "shortDescription": {"text": rule.title},
                      "fullDescription": {"text": rule.summary + (f" {rule.why}" if rule.why else "")},
                      "help": {"text": rule.summary, "markdown": rule.markdown()},
                      "defaultConfiguration": {"level": LEVELS[str(rule.default_severity)]},
                      "properties": {"tags": [t for t in ("facets-dynamo", rule.plugin) if t]}}
            help_uri = rule.help_uri()
            if help_uri:  # SARIF wants an absolute URI or nothing
                entry["helpUri"] = help_uri
            if rule.checkov or rule.trivy:
                # a best-practice check other scanners also make: GitHub shows a security severity for rules
                # tagged "security" that carry one (Checkov's open-source output has none); derived here from
                # the rule's default level: error high, warning medium, info low
                entry["properties"]["equivalents"] = [x for x in (rule.checkov, rule.trivy) if x]
                entry["properties"]["tags"].append("security")
                entry["properties"]["security-severity"] = SECURITY_SEVERITY[str(rule.default_severity)]
        else:
            entry |= {"shortDescription": {"text": code}, "fullDescription": {"text": code}}
        rules.append(entry)
    results = []
    for d in items:
        location = artifact(d.file, cwd)
        result: dict[str, Any] = {
            "ruleId": d.code, "ruleIndex": index[d.code], "level": LEVELS[str(d.severity)],
            "message": {"text": d.message + (f" (at {d.path or '/'})" if d.path is not None else "")},
            "partialFingerprints": {FINGERPRINT: fingerprint(d, location)},
        }
        if location is not None:
            physical: dict[str, Any] = {"artifactLocation": location}
            if d.line:
                physical["region"] = {"startLine": d.line, "startColumn": max(d.column, 1)}
            result["locations"] = [{"physicalLocation": physical,
                                    "logicalLocations": [{"fullyQualifiedName": d.path or "/", "kind": "object"}]}]
        else:
            # GitHub needs a location on every result: pin a file-less problem to the working directory
            result["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": ".", "uriBaseId": "%SRCROOT%"}},
                                    "message": {"text": d.file or "(no file)"}}]
        results.append(result)
    driver: dict[str, Any] = {"name": "facets-dynamo", "version": version, "semanticVersion": version}
    if documentation_url():
        driver["informationUri"] = documentation_url()
    return {
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [{
            "tool": {"driver": {**driver, "rules": rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": cwd.resolve().as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def _pascal(title: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in title.replace("-", " ").replace("_", " ").split() if w.isalnum()
                   or w.replace("'", "").isalnum()).replace("'", "") or "Rule"
