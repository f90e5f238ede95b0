"""Rule metadata: every code the code base can emit is documented, docs/rules.md is current, explain prints it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

from conftest import ROOT, TESTS

from facets_dynamo.host import Host
from facets_dynamo.plugin import Rule, Severity, hookimpl
from facets_dynamo.rulebook import collect

Run = Callable[..., CompletedProcess[str]]
CODE = re.compile(r"[\"'`]((?:FD|DDB|SQS)[0-9]{3})[\"'`]")
CATALOGUES = {ROOT / "facets_dynamo/rulebook.py", ROOT / "plugins/facets_dynamodb_default/catalogue.py"}


def emitted_codes() -> dict[str, Path]:
    """Every code written as a string literal in the host, the bundled plugin, the example plugin and the schemas
    (x-code), outside the catalogues themselves."""
    sources = [*(ROOT / "facets_dynamo").rglob("*.py"), *(ROOT / "plugins").rglob("*.py"),
               *(ROOT / "examples").glob("*/src/**/*.py"), *(ROOT / "schemas").rglob("*.json"),
               *(ROOT / "examples").glob("*/src/**/*.json")]
    found: dict[str, Path] = {}
    for file in sources:
        if file in CATALOGUES:
            continue
        for code in CODE.findall(file.read_text(encoding="utf-8")):
            found.setdefault(code, file)
    return found


def documented(run_cli: Run) -> dict[str, dict]:
    result = run_cli("rules", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr  # no plugin answered rules() badly or claimed another's code
    return {r["code"]: r for r in json.loads(result.stdout)}


def test_every_code_the_code_base_can_emit_has_an_entry(run_cli: Run) -> None:
    emitted = emitted_codes()
    assert {"FD101", "FD900", "DDB101", "DDB108", "DDB301", "SQS103"} <= set(emitted)  # the scan sees them all
    known = documented(run_cli)
    missing = {code: str(file.relative_to(ROOT)) for code, file in emitted.items() if code not in known}
    assert missing == {}


def test_every_entry_is_a_code_the_code_base_can_emit(run_cli: Run) -> None:
    """No stale entries: a documented code that nothing emits any more is a lie in docs/rules.md."""
    assert sorted(set(documented(run_cli)) - set(emitted_codes())) == []


def test_every_code_of_the_bad_input_corpus_is_documented(run_cli: Run) -> None:
    cases = json.loads((TESTS / "bad_inputs/cases.json").read_text(encoding="utf-8"))
    codes = {c["code"] for c in cases["cases"] if c.get("code")}
    assert len(codes) > 10
    assert codes <= set(documented(run_cli))


def test_entries_say_who_owns_them_and_map_the_policy_pack(run_cli: Run) -> None:
    known = documented(run_cli)
    assert known["FD101"]["plugin"] == "facets-dynamo"
    assert known["DDB101"]["plugin"] == "dynamodb_default"
    assert known["SQS103"]["plugin"] == "sqs_default"
    assert (known["DDB301"]["checkov"], known["DDB301"]["trivy"]) == ("CKV_AWS_28", "AVD-AWS-0024")
    assert (known["DDB302"]["checkov"], known["DDB302"]["trivy"]) == ("CKV_AWS_119", "AVD-AWS-0025")
    policy = [r for c, r in known.items() if c.startswith("DDB3")]
    assert len(policy) >= 5
    assert all(r["default_severity"] == "warning" and r["enabled_by_default"] for r in policy)  # on, as warnings
    for code, rule in known.items():
        assert rule["title"] and rule["summary"], code
        assert rule["help_uri"].endswith(f"#{code.lower()}")


def test_docs_rules_md_is_current(run_cli: Run) -> None:
    result = run_cli("rules", "--markdown")
    assert result.returncode == 0
    assert result.stdout == (ROOT / "docs/rules.md").read_text(encoding="utf-8"), \
        "docs/rules.md is out of date: facets-dynamo rules --markdown > docs/rules.md"


def test_explain_prints_the_section_of_docs_rules_md(run_cli: Run) -> None:
    docs = (ROOT / "docs/rules.md").read_text(encoding="utf-8")
    for code in ("DDB101", "DDB301", "FD108", "SQS103"):
        result = run_cli("explain", code.lower())  # any case
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"# {code}\n")
        body = result.stdout.split("\n", 1)[1]
        assert f"### {code}\n{body}" in docs
        assert "Invalid:" in body and "Fixed:" in body


def test_unknown_code_is_a_usage_error_suggesting_the_nearest(run_cli: Run) -> None:
    result = run_cli("explain", "DDB31")
    assert result.returncode == 2
    assert "unknown code 'DDB31'" in result.stderr and "did you mean" in result.stderr and "DDB301" in result.stderr
    nothing = run_cli("explain", "zzz")
    assert nothing.returncode == 2 and "facets-dynamo rules" in nothing.stderr


def test_bad_answers_to_rules_are_listed_and_the_good_ones_kept() -> None:
    class Odd:
        @hookimpl
        def rules(self) -> list[object]:
            return [Rule("ODD101", "odd", "an odd check", default_severity=Severity.INFO), "not a rule",
                    Rule("FD101", "stolen", "claims a host code"), Rule("lower1", "bad", "not a code")]

    book = collect(Host(entry_points=False, plugins=[("odd", Odd())]))
    assert book.get("ODD101") is not None and book.get("ODD101").plugin == "odd"
    assert book.get("FD101").plugin == "facets-dynamo"
    assert len(book.problems) == 3, book.problems
