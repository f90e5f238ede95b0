"""`facets-dynamo schema --vscode`: the files it writes, and that the mapping fits the blueprint's files."""

from __future__ import annotations

import fnmatch
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import jsonschema
from conftest import EXAMPLE

Run = Callable[..., CompletedProcess[str]]


def test_vscode_settings_map_blueprint_files_to_the_schemas(run_cli: Run, tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "infra")
    (tmp_path / ".vscode").mkdir()
    mine = {"url": "https://example.com/other.json", "fileMatch": ["other/*.json"]}
    (tmp_path / ".vscode/settings.json").write_text(json.dumps({"editor.tabSize": 2, "json.schemas": [mine]}),
                                                    encoding="utf-8")
    result = run_cli("schema", "--vscode", "--blueprint", "infra", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    settings = json.loads((tmp_path / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert settings["editor.tabSize"] == 2 and settings["json.schemas"][0] == mine  # the user's settings kept
    ours = settings["json.schemas"][1:]
    files = [p.relative_to(tmp_path).as_posix() for p in (tmp_path / "infra").rglob("*.json")]
    checked = 0
    for entry in ours:
        schema_path = tmp_path / entry["url"]
        assert entry["url"].startswith("./.facets-dynamo/schemas/") and schema_path.is_file()
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        matched = [f for f in files if any(fnmatch.fnmatch(f, glob) for glob in entry["fileMatch"])]
        assert matched or "sqs" in entry["url"], entry  # the example blueprint has no queue
        for name in matched:  # every mapped file of the example is valid against the schema it is mapped to
            jsonschema.validate(json.loads((tmp_path / name).read_text(encoding="utf-8")), schema)
            checked += 1
    assert checked >= 7  # 5 base documents, 2 environment files
    mapped = {f for e in ours for f in files if any(fnmatch.fnmatch(f, g) for g in e["fileMatch"])}
    assert not any("/prod/dynamodb/" in f or "/dev/dynamodb/" in f for f in mapped)  # overrides are partial
    again = run_cli("schema", "--vscode", "--blueprint", "infra", cwd=tmp_path)  # idempotent
    assert again.returncode == 0
    assert json.loads((tmp_path / ".vscode/settings.json").read_text(encoding="utf-8")) == settings


def test_settings_with_comments_are_not_rewritten(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / ".vscode").mkdir()
    text = '{\n  // mine\n  "editor.tabSize": 2\n}\n'
    (tmp_path / ".vscode/settings.json").write_text(text, encoding="utf-8")
    result = run_cli("schema", "--vscode", cwd=tmp_path)
    assert result.returncode == 2 and "not plain JSON" in result.stderr
    assert (tmp_path / ".vscode/settings.json").read_text(encoding="utf-8") == text


def test_schema_without_arguments_is_a_usage_error(run_cli: Run) -> None:
    assert run_cli("schema").returncode == 2
    assert json.loads(run_cli("schema", "dynamodb", "default", "0.2").stdout)["type"] == "object"
