#!/usr/bin/env python3
"""What the GitHub Action (action.yml) does, in one script a test can run without GitHub or network.

Reads its inputs from the environment (INPUT_* as the action passes them), runs the installed
``facets-dynamo`` console script and writes:

- annotations on the runner's stdout (``validate --format github``);
- a SARIF log (``validate --format sarif``) for github/codeql-action/upload-sarif;
- ``diff --base`` against the pull request's base: a replacement or destruction fails the run unless
  ``INPUT_ALLOW_REPLACE`` is true;
- ``synth --out`` (the folder the action keeps as an artifact);
- a Markdown job summary ($GITHUB_STEP_SUMMARY): problems, what changes per resource, the apply graph as Mermaid;
- step outputs ($GITHUB_OUTPUT): sarif-file, out, destructive, valid.

Exit code: 0 all good, 1 invalid blueprint or synthesis failed, 3 a replacement / destruction not allowed.
Only the standard library: it runs before anything else is known to be installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


def _input(name: str, default: str = "") -> str:
    return os.environ.get(f"INPUT_{name.upper().replace('-', '_')}", default).strip() or default


def _cli() -> str:
    here = Path(sys.executable).with_name("facets-dynamo")
    return str(here) if here.exists() else (shutil.which("facets-dynamo") or "facets-dynamo")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_cli(), *args], capture_output=True, text=True)


def _append(variable: str, text: str) -> None:
    target = os.environ.get(variable)
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def changes_markdown(diff: dict) -> list[str]:
    """What changes per resource, as a Markdown table (unchanged resources left out)."""
    rows = [r for r in diff.get("resources", []) if r["status"] != "unchanged"]
    if not rows:
        return ["No resource changes."]
    out = ["| resource | status | effect | changes |", "|---|---|---|---|"]
    for r in rows:
        effect = "**replaces**" if r["replaces"] else "**destroys**" if r["destroys"] else r["effect"]
        changes = "<br>".join(f"`{_md(c['path'])}`" + (f" ({c['effect']})" if c.get("effect") not in (None, "in-place")
                                                      else "") for c in r["changes"][:20])
        reasons = "<br>".join(_md(x) for x in r["reasons"])
        name = r["new_name"] or r["old_name"] or ""
        out.append(f"| `{r['address']}`{f' ({name})' if name else ''} | {r['status']} | {effect}"
                   f"{'<br>' + reasons if reasons else ''} | {changes or '-'} |")
    return out


def main() -> int:
    blueprint = _input("blueprint", ".")
    env = _input("environment", "default")
    base = _input("base")
    allow = _input("allow-replace", "false").lower() in ("1", "true", "yes")
    sarif_file = _input("sarif-file", "facets-dynamo.sarif")
    out = _input("out", "cdktf.out")
    common = [blueprint, "--env", env]
    summary = [f"## facets-dynamo: `{blueprint}` (environment `{env}`)", ""]
    code = 0

    annotations = run("validate", *common, "--format", "github")
    sys.stdout.write(annotations.stdout)  # the runner turns these lines into annotations
    sys.stderr.write(annotations.stderr)
    sarif = run("validate", *common, "--format", "sarif")
    Path(sarif_file).write_text(sarif.stdout, encoding="utf-8")
    valid = annotations.returncode == 0
    try:
        problems = json.loads(sarif.stdout)["runs"][0]["results"]
    except (ValueError, KeyError, IndexError):
        problems = []
    summary.append(f"### Validation: {'passed' if valid else 'FAILED'} ({len(problems)} finding(s))")
    summary.append("")
    if problems:
        summary += ["| level | code | where | message |", "|---|---|---|---|"]
        for p in problems[:50]:
            loc = p["locations"][0]["physicalLocation"]
            where = loc["artifactLocation"]["uri"] + (f":{loc['region']['startLine']}" if "region" in loc else "")
            summary.append(f"| {p['level']} | {p['ruleId']} | `{_md(where)}` | {_md(p['message']['text'])} |")
        summary.append("")
    if not valid:
        code = 1

    destructive = False
    if base and valid:
        diff = run("diff", blueprint, "--base", base, "--env", env, "--format", "json")
        summary += [f"### Changes since `{base}`", ""]
        if diff.returncode in (0, 3):
            data = json.loads(diff.stdout)
            destructive = bool(data["destructive"])
            summary += changes_markdown(data)
            if destructive:
                verdict = "allowed by `allow-replace`" if allow else "this fails the check (set `allow-replace`)"
                summary += ["", f"**A change replaces or destroys a resource**: {verdict}."]
                if not allow:
                    code = code or 3
        else:
            summary.append(f"diff failed (exit {diff.returncode}): {_md(diff.stderr.strip())}")
            code = code or 1
        summary.append("")

    if valid:
        synth = run("synth", *common, "--out", out)
        sys.stderr.write(synth.stderr)
        summary += ["### Synthesis", "", f"`{out}`: " + ("written" if synth.returncode == 0 else
                                                           f"FAILED (exit {synth.returncode})"), ""]
        if synth.returncode:
            code = code or 1
        graph = run("graph", *common, "--format", "mermaid")
        if graph.returncode == 0:
            summary += ["### Apply order", "", "```mermaid", graph.stdout.rstrip("\n"), "```", ""]

    _append("GITHUB_STEP_SUMMARY", "\n".join(summary) + "\n")
    _append("GITHUB_OUTPUT", f"sarif-file={sarif_file}\nout={out}\ndestructive={str(destructive).lower()}\n"
                             f"valid={str(valid).lower()}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
