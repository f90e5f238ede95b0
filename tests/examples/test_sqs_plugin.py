"""The example third-party plugin (``examples/sqs-plugin``, installed through its entry point by ``./dev``),
driven through every surface of facets-dynamo with no change to the host: ``plugins``, ``validate`` with
positions, ``synth``, ``diff`` (its own verdicts), the notebook display and the editor."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from textual.widgets import Input, Switch

import facets_dynamo as fd
from facets_dynamo.host import default_host
from facets_dynamo.tui.app import EditorApp

BLUEPRINT = ROOT / "examples" / "sqs-plugin" / "blueprint"


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture
def bp(tmp_path: Path) -> Path:
    root = tmp_path / "bp"
    shutil.copytree(BLUEPRINT, root)
    return root


def jobs(root: Path) -> Path:
    return root / "sqs" / "instances" / "jobs.json"


def edit(path: Path, **spec: Any) -> None:
    doc = json.loads(path.read_text())
    doc["spec"].update(spec)
    path.write_text(json.dumps(doc, indent=2) + "\n")


def test_it_is_found_through_its_entry_point(run_cli) -> None:
    assert "sqs_default" in default_host().plugins
    assert default_host().plugins["sqs_default"].source.startswith("entry point from facets-dynamo-sqs")
    listed = {p["name"]: p for p in json.loads(run_cli("plugins", "--format", "json").stdout)}
    assert listed["sqs_default"]["flavors"] == ["sqs/default/0.1"] and not listed["sqs_default"]["error"]


def test_validate_reports_its_rules_and_its_schema_with_positions(bp: Path, run_cli) -> None:
    path = jobs(bp)
    edit(path, content_based_deduplication=True, delay_seconds=901)
    done = run_cli("validate", bp, "--env", "dev", "--format", "json")
    assert done.returncode == 1, done.stderr
    found = {(d["code"], d["path"]): d for d in json.loads(done.stdout)}
    rule = found[("SQS103", "/spec/content_based_deduplication")]
    assert rule["line"] == line_of(path, "content_based_deduplication") and rule["file"].endswith("jobs.json")
    schema = found[("FD306", "/spec/delay_seconds")]
    assert schema["line"] == line_of(path, "delay_seconds")
    assert run_cli("validate", BLUEPRINT, "--env", "dev").returncode == 0


def test_synth_builds_both_queues_with_the_dead_letter_reference(tmp_path: Path) -> None:
    result = fd.synthesize(BLUEPRINT, env="dev", out=tmp_path / "out")
    assert sorted(result.stacks) == ["jobs", "jobs-dlq"]
    queue = result.stacks["jobs"]["resource"]["aws_sqs_queue"]["queue"]
    assert queue["name"] == "jobs-dev" and queue["fifo_queue"] is False and queue["visibility_timeout_seconds"] == 60
    assert queue["tags"] == {"environment": "dev", "team": "payments"}
    policy = queue["redrive_policy"]  # the reference became a cross-stack read of the dead-letter queue's arn
    assert policy.startswith('{"deadLetterTargetArn": "${data.terraform_remote_state.') and "jobs-dlq" in policy
    assert "aws_sqs_queuequeuearn" in policy and policy.endswith('"maxReceiveCount": 5}')
    assert len(result.stacks["jobs"]["data"]["terraform_remote_state"]) == 1
    assert (tmp_path / "out" / "stacks" / "jobs-dlq" / "cdk.tf.json").is_file()


def test_diff_gives_the_plugins_own_verdicts(bp: Path, tmp_path: Path, run_cli) -> None:
    old = tmp_path / "old"
    shutil.copytree(bp, old)
    edit(jobs(bp), visibility_timeout_seconds=90)
    in_place = run_cli("diff", old, bp, "--env", "dev", "--format", "json")
    assert in_place.returncode == 0, in_place.stderr
    (entry,) = [r for r in json.loads(in_place.stdout)["resources"] if r["status"] == "changed"]
    assert entry["effect"] == "in-place" and entry["planned_by"] == "sqs_default" and entry["new_name"] == "jobs-dev"

    doc = json.loads(jobs(bp).read_text())
    doc["metadata"]["name"] = "jobs2"
    jobs(bp).write_text(json.dumps(doc, indent=2))
    renamed = run_cli("diff", jobs(old), jobs(bp), "--env", "dev")
    assert renamed.returncode == 3, renamed.stdout + renamed.stderr
    assert "SQS cannot rename a queue" in renamed.stdout and "DynamoDB" not in renamed.stdout

    edit(jobs(bp), fifo=True)
    fifo = run_cli("diff", jobs(old), jobs(bp), "--env", "dev", "--format", "json")
    changes = json.loads(fifo.stdout)["resources"][0]["changes"]
    assert {"path": "/spec/fifo", "op": "added", "new": True, "effect": "replaces"} in changes


def test_notebook_display_shows_its_description() -> None:
    ws = fd.load(BLUEPRINT, env="dev")
    html = ws["jobs"]._repr_html_()
    assert "jobs-dev" in html and "visibility timeout seconds" in html and "sqs/default/0.1" in html
    assert "standard queue, messages kept 7 days" in ws._repr_html_()
    assert fd.validate(ws).ok


async def test_editor_builds_its_form_and_edits_through_it(bp: Path) -> None:
    app = EditorApp(jobs(bp), "dev", debounce=0)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("f2")  # the form is filled while it is shown
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        assert app.form.query_one("#spec-visibility_timeout_seconds", Input).value == "60"
        assert app.form.query_one("#spec-fifo", Switch).value is False
        app.form.query_one("#spec-delay_seconds", Input).value = "15"
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        assert json.loads(app.editor.text)["spec"]["delay_seconds"] == 15
        assert "aws_sqs_queue" in app.last_stacks.get("jobs", {}).get("resource", {})
