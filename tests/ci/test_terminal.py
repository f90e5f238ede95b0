"""Terminal conventions through the console script: NO_COLOR / FORCE_COLOR, -q / -v, shell completion."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

from conftest import EXAMPLE, MINIMAL

Run = Callable[..., CompletedProcess[str]]
ESC = "\x1b["


def warning_and_error(tmp_path: Path) -> Path:
    doc = json.loads(json.dumps(MINIMAL))
    doc["spec"]["hash_key"] = "Nope"  # DDB101, DDB102 errors
    doc["typo"] = 1  # DDB190 warning
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def test_colour_only_when_forced_and_never_with_no_color(run_cli: Run, tmp_path: Path) -> None:
    path = warning_and_error(tmp_path)
    plain = run_cli("validate", path, env={"NO_COLOR": "", "FORCE_COLOR": ""})  # piped: no colour
    assert plain.returncode == 1 and ESC not in plain.stdout and "error DDB101" in plain.stdout
    forced = run_cli("validate", path, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert ESC in forced.stdout and "DDB101" in forced.stdout
    both = run_cli("validate", path, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})  # NO_COLOR wins
    assert ESC not in both.stdout and both.stdout == plain.stdout
    machine = run_cli("validate", path, "--format", "json", env={"FORCE_COLOR": "1"})
    assert ESC not in machine.stdout and json.loads(machine.stdout)


def test_quiet_prints_errors_only_and_verbose_says_which_configuration(run_cli: Run, tmp_path: Path) -> None:
    path = warning_and_error(tmp_path)
    normal = run_cli("validate", path)
    quiet = run_cli("-q", "validate", path)
    assert "DDB190" in normal.stdout and "error(s)" in normal.stderr
    assert "DDB190" not in quiet.stdout and "DDB101" in quiet.stdout and quiet.stderr == ""
    assert quiet.returncode == normal.returncode == 1
    ok = run_cli("-q", "validate", EXAMPLE)
    assert ok.returncode == 0 and ok.stdout == "" and ok.stderr == ""
    (tmp_path / ".facets-dynamo.toml").write_text('[severity]\nDDB301 = "error"\n', encoding="utf-8")
    verbose = run_cli("-v", "validate", path)
    assert f"configuration: {tmp_path / '.facets-dynamo.toml'}" in verbose.stderr


def test_shell_completion_scripts(run_cli: Run) -> None:
    for shell, marker in (("bash", "complete -o nosort -F"), ("zsh", "#compdef facets-dynamo"),
                          ("fish", "complete --no-files --command facets-dynamo")):
        result = run_cli(env={"_FACETS_DYNAMO_COMPLETE": f"{shell}_source"})
        assert result.returncode == 0 and marker in result.stdout, (shell, result.stdout[:200])
    words = run_cli(env={"_FACETS_DYNAMO_COMPLETE": "bash_complete", "COMP_WORDS": "facets-dynamo ex",
                         "COMP_CWORD": "1"})
    assert "plain,explain" in words.stdout
