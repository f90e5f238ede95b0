"""`facets-dynamo schema --vscode`: the files it writes, and that the mapping fits the blueprint's files."""

from __future__ import annotations

import fnmatch
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from urllib.parse import urlsplit

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


def test_schema_ids_name_the_schemas_and_resolve_their_own_refs(run_cli: Run, tmp_path: Path) -> None:
    """Each written schema's ``$id`` is an absolute URI that does not pretend to be a hosted URL (a URN), and
    the schema as written validates on its own: its ``$ref``s resolve against that ``$id`` with no network."""
    shutil.copytree(EXAMPLE, tmp_path / "infra")
    assert run_cli("schema", "--vscode", "--blueprint", "infra", cwd=tmp_path).returncode == 0
    settings = json.loads((tmp_path / ".vscode/settings.json").read_text(encoding="utf-8"))
    written = {entry["url"]: json.loads((tmp_path / entry["url"]).read_text(encoding="utf-8"))
               for entry in settings["json.schemas"]}
    ours = {"./.facets-dynamo/schemas/dynamodb-default-0.2.json", "./.facets-dynamo/schemas/environment.json"}
    assert ours <= set(written)
    for url, schema in written.items():
        jsonschema.Draft202012Validator.check_schema(schema)
        if url in ours:  # a third-party plugin's schema (the example sqs one) may carry none
            parts = urlsplit(schema["$id"])
            assert parts.scheme == "urn" and parts.path.startswith("facets-dynamo:schema:"), url
            assert "#" not in schema["$id"]  # 2020-12: an absolute URI without a fragment
    assert len({written[url]["$id"] for url in ours}) == len(ours)  # one identifier each
    environment = jsonschema.Draft202012Validator(written["./.facets-dynamo/schemas/environment.json"])
    assert '"$ref"' in json.dumps(environment.schema)  # the backends are $defs reached by $ref
    valid = json.loads((tmp_path / "infra/prod/environment.json").read_text(encoding="utf-8"))
    assert not list(environment.iter_errors(valid))
    s3 = {**valid, "backend": {"type": "s3", "key": "{stack}.tfstate", "region": "eu-west-1"}}  # no bucket
    errors = list(environment.iter_errors(s3))
    # "bucket" is required only in $defs/s3, reached through "then": {"$ref": "#/$defs/s3"}
    assert any("'bucket' is a required property" in e.message for e in errors), [e.message for e in errors]
