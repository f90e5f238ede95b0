"""References ``${kind.name.out.field}``: real cross-stack references, clear errors, everything else literal."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

import pytest

from facets_dynamo import api
from facets_dynamo.diagnostics import Diagnostic


def table(name_attr: str = "Id", **tags: str) -> dict[str, Any]:
    return {"kind": "dynamodb", "flavor": "default", "version": "0.2", "metadata": {"tags": tags},
            "spec": {"attributes": {"k": {"name": name_attr, "type": "S"}}, "hash_key": name_attr}}


def blueprint(tmp_path: Path, docs: dict[str, dict[str, Any]]) -> Path:
    root = tmp_path / "bp"
    for name, doc in docs.items():
        path = root / "dynamodb" / "instances" / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2) + "\n")
    return root


def errors(root: Path, env: str = "dev") -> list[Diagnostic]:
    return list(api.validate(api.load(root, env=env)).errors)


def _single(block: Any) -> dict[str, Any]:
    return block[0] if isinstance(block, list) else block


def test_reference_becomes_a_cross_stack_reference(tmp_path: Path) -> None:
    root = blueprint(tmp_path, {
        "locks": table("LockID"),
        "sessions": table(lock_table="${dynamodb.locks.out.table_name}",
                          lock_arn="arn=${dynamodb.locks.out.attributes.table_arn}/x",
                          policy="${dynamodb.locks.out.read_write_policy}")})
    found = [d for d in api.validate(api.load(root, env="dev")) if not d.code.startswith("DDB3")]  # not policy
    assert found == []  # no DDB141: a reference is not tag text
    result = api.synthesize(root, env="dev")
    referrer, referenced = result.stacks["sessions"], result.stacks["locks"]

    remote = referrer["data"]["terraform_remote_state"]
    assert len(remote) == 1
    (state_id, state), = remote.items()
    assert state["backend"] == "local"
    # Terraform runs inside stacks/<name>/: the remote state path must land on the other stack's state.
    read_path = posixpath.normpath(posixpath.join("stacks/sessions", state["config"]["path"]))
    backend = referenced["terraform"]["backend"]["local"]["path"]
    assert read_path == posixpath.normpath(posixpath.join("stacks/locks", backend)) == "stacks/locks/terraform.tfstate"

    tags = referrer["resource"]["aws_dynamodb_table"]["table"]["tags"]
    outputs = referenced["output"]
    expected_values = {"lock_table": "${aws_dynamodb_table.table.name}",
                       "lock_arn": "${aws_dynamodb_table.table.arn}",
                       "policy": "${aws_iam_policy.policy_rw.arn}"}
    for tag, value in expected_values.items():
        text = tags[tag]
        prefix = f"${{data.terraform_remote_state.{state_id}.outputs."
        start = text.index(prefix) + len(prefix)
        output_name = text[start:text.index("}", start)]
        assert outputs[output_name]["value"] == value, (tag, output_name)
    assert tags["lock_arn"].startswith("arn=${data.") and tags["lock_arn"].endswith("}/x")
    assert result.manifest["stacks"]["sessions"]["dependencies"] == ["locks"]
    assert result.manifest["stacks"]["locks"]["dependencies"] == []


def test_example_blueprint_reference(example_bp: Path) -> None:
    result = api.synthesize(example_bp, env="prod")
    state = result.stacks["sessions"]["data"]["terraform_remote_state"]
    assert [s["config"]["path"] for s in state.values()] == ["../locks/terraform.tfstate"]


@pytest.mark.parametrize(("ref", "code", "named"), [
    ("${dynamodb.nothere.out.table_name}", "FD310", "dynamodb.nothere"),
    ("${dynamodb.off.out.table_name}", "FD311", "disabled"),
    ("${dynamodb.locks.out.table_colour}", "FD312", "table_colour"),
    ("${dynamodb.locks.out.attributes.nope}", "FD312", "table_arn"),
    ("${dynamodb.sessions.out.table_name}", "FD313", "itself"),
    ("${s3.locks.out.table_name}", "FD310", "s3.locks"),
])
def test_bad_references_are_errors(tmp_path: Path, ref: str, code: str, named: str) -> None:
    off = table()
    off["disabled"] = True
    root = blueprint(tmp_path, {"locks": table(), "off": off, "sessions": table(peer=f"x {ref}")})
    found = errors(root)
    assert [d.code for d in found] == [code], [d.format_text() for d in found]
    assert named in found[0].message and ref in found[0].message
    assert found[0].path == "/metadata/tags/peer"
    assert found[0].file.endswith("sessions.json") and found[0].line > 1


def test_reference_to_a_resource_disabled_only_in_one_environment(tmp_path: Path) -> None:
    root = blueprint(tmp_path, {"locks": table(), "sessions": table(peer="${dynamodb.locks.out.table_name}")})
    override = root / "prod" / "dynamodb" / "instances" / "locks.json"
    override.parent.mkdir(parents=True)
    override.write_text('{"disabled": true}\n')
    assert errors(root, "dev") == []
    assert [d.code for d in errors(root, "prod")] == ["FD311"]


def test_reference_cycle_is_an_error(tmp_path: Path) -> None:
    root = blueprint(tmp_path, {"a": table(p="${dynamodb.b.out.table_name}"),
                                "b": table(p="${dynamodb.c.out.table_arn}"),
                                "c": table(p="${dynamodb.a.out.table_name}"),
                                "d": table(p="${dynamodb.a.out.table_name}")})  # points into the loop, not part of it
    found = errors(root)
    assert sorted(Path(d.file).stem for d in found) == ["a", "b", "c"]
    assert {d.code for d in found} == {"FD314"}
    a = next(d for d in found if d.file.endswith("a.json"))
    assert "dynamodb.a -> dynamodb.b -> dynamodb.c -> dynamodb.a" in a.message
    with pytest.raises(api.SynthError) as exc:
        api.synthesize(root, env="dev")
    assert "FD314" in str(exc.value)


def test_chain_without_cycle_synthesizes_in_order(tmp_path: Path) -> None:
    root = blueprint(tmp_path, {"a": table(p="${dynamodb.b.out.table_name}"),
                                "b": table(p="${dynamodb.c.out.table_arn}"), "c": table()})
    result = api.synthesize(root, env="dev")
    assert result.manifest["stacks"]["a"]["dependencies"] == ["b"]
    assert result.manifest["stacks"]["b"]["dependencies"] == ["c"]


def test_cycle_through_a_disabled_resource_is_no_cycle(tmp_path: Path) -> None:
    b = table(p="${dynamodb.a.out.table_name}")
    b["disabled"] = True
    root = blueprint(tmp_path, {"a": table(), "b": b, "c": table(p="${dynamodb.a.out.table_name}")})
    assert errors(root) == []


def test_other_interpolations_stay_literal(tmp_path: Path) -> None:
    literal = {
        "var": "${var.secret}",
        "template": "%{ if true }yes%{ endif }",
        "partial": "${dynamodb.locks.out}",
        "escaped": "$${already}",
        "dollar": "costs $5 {not a ref}",
        "file": '${file("/etc/passwd")}',
    }
    root = blueprint(tmp_path, {"locks": table(), "sessions": table(**literal)})
    assert errors(root) == []
    stack = api.synthesize(root, env="dev").stacks["sessions"]
    tags = stack["resource"]["aws_dynamodb_table"]["table"]["tags"]
    assert tags["var"] == "$${var.secret}"
    assert tags["template"] == "%%{ if true }yes%%{ endif }"
    assert tags["partial"] == "$${dynamodb.locks.out}"
    assert tags["escaped"] == "$$${already}"  # Terraform reads this back as "$${already}"
    assert tags["dollar"] == "costs $5 {not a ref}"
    assert tags["file"] == '$${file("/etc/passwd")}'
    assert "data" not in stack


def test_reference_and_literal_in_one_string(tmp_path: Path) -> None:
    root = blueprint(tmp_path, {"locks": table(),
                                "sessions": table(mix="${var.x}/${dynamodb.locks.out.table_name}/%{x}")})
    tags = api.synthesize(root, env="dev").stacks["sessions"]["resource"]["aws_dynamodb_table"]["table"]["tags"]
    assert tags["mix"].startswith("$${var.x}/${data.terraform_remote_state.")
    assert tags["mix"].endswith("}/%%{x}")


def test_attributes_are_plain_interpolations_in_their_stack_and_tokens_in_another() -> None:
    """``Handle.attr`` spells an attribute ``${type.id.attr}`` (no engine call); only when another stack uses
    it, composed values included, is it rebuilt from engine tokens (which wire the cross-stack reference)."""
    from facets_dynamo.terraform_strings import Ref

    asked: list[str] = []

    def token() -> Ref:
        asked.append("arn")
        return Ref("${TfToken[TOKEN.7]}")

    arn = Ref("${aws_x.y.arn}", token)
    composed = Ref.concat("prefix/", arn, "/${literal}")
    assert composed.text == "prefix/${aws_x.y.arn}/$${literal}"
    assert asked == []
    assert composed.for_other_stack().text == "prefix/${TfToken[TOKEN.7]}/$${literal}"
    assert asked == ["arn"]
    plain = Ref.concat("a", "${b}")
    assert plain.remote is None and plain.for_other_stack() == plain
