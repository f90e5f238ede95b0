"""Real Terraform against an emulated S3 and STS (moto server): the synthesized S3 backend and cross-stack
``terraform_remote_state`` work as written (issue 12).

The example blueprint is synthesized for an environment on S3 with native locking, encryption and a role to
assume. Of each stack only what does not need the AWS provider (which cannot be downloaded here) is kept:
the backend block exactly as synthesized, ``locks``' cross-stack output (its value, the table's name, as a
literal) and ``sessions``' ``terraform_remote_state`` read with the value it yields. ``terraform apply`` of
``locks`` then ``sessions`` must store each state under its own key (taking and releasing the lock file) and
``sessions`` must read ``locks``' output through the bucket. The only additions are for the emulator: its
endpoints (``AWS_ENDPOINT_URL_S3`` / ``_STS``), dummy credentials, and path-style URLs.

Skipped unless ``terraform`` is on PATH and moto's server extra (flask, flask-cors) is installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from facets_dynamo.blueprint import load_workspace
from facets_dynamo.synthesis import synthesize_workspace

TERRAFORM = shutil.which("terraform")
MISSING = ("terraform is not on PATH" if TERRAFORM is None else
           "moto server needs flask and flask-cors" if importlib.util.find_spec("flask") is None
           or importlib.util.find_spec("flask_cors") is None else None)
pytestmark = [pytest.mark.slow, pytest.mark.skipif(MISSING is not None, reason=MISSING or "")]
BUCKET = "acme-terraform-state"
ENVIRONMENT = {
    "name": "dev", "region": "us-east-1",
    "backend": {"type": "s3", "bucket": BUCKET, "key": "facets/{environment}/{stack}.tfstate", "use_lockfile": True,
                "encrypt": True, "assume_role": {"role_arn": "arn:aws:iam::123456789012:role/terraform-state",
                                                 "session_name": "e2e"}},
}


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_apply_stores_each_stack_under_its_key_and_sessions_reads_locks_through_s3(
        tmp_path: Path, example_bp: Path, s3_endpoint: str) -> None:
    import boto3

    credentials = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="test",
                      aws_secret_access_key="test")
    s3.create_bucket(Bucket=BUCKET)
    env_file = tmp_path / "dev.json"
    env_file.write_text(json.dumps(ENVIRONMENT), encoding="utf-8")
    stacks = synthesize_workspace(load_workspace([example_bp], "dev", env_file)).stacks

    locks, sessions = stacks["locks"], stacks["sessions"]
    [cross_output] = [name for name in locks["output"] if name.startswith("cross-stack-output-")]
    remote = sessions["data"]["terraform_remote_state"]
    for data in remote.values():
        data["config"]["use_path_style"] = True  # for the emulator on 127.0.0.1
    reduced = {
        "locks": {"terraform": {"backend": locks["terraform"]["backend"]},
                  "output": {cross_output: {"value": "locks-dev"}}},
        "sessions": {"terraform": {"backend": sessions["terraform"]["backend"]},
                     "data": {"terraform_remote_state": remote},
                     "output": {"lock_table": {"value": sessions["resource"]["aws_dynamodb_table"]["table"]["tags"]
                                               ["lock_table"]}}},
    }
    env = {**os.environ, **credentials, "AWS_ENDPOINT_URL_S3": s3_endpoint, "AWS_ENDPOINT_URL_STS": s3_endpoint,
           "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": str(tmp_path / "none.tfrc")}
    outputs = {}
    for name in ("locks", "sessions"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "main.tf.json").write_text(json.dumps(reduced[name]), encoding="utf-8")
        for command in (["init", "-input=false", "-backend-config=use_path_style=true"],
                        ["apply", "-auto-approve", "-input=false"]):
            run = subprocess.run([TERRAFORM or "terraform", f"-chdir={folder}", *command, "-no-color"], env=env,
                                 capture_output=True, text=True, timeout=300)
            assert run.returncode == 0, run.stdout + run.stderr
        shown = subprocess.run([TERRAFORM or "terraform", f"-chdir={folder}", "output", "-json"], env=env,
                               capture_output=True, text=True, timeout=120, check=True)
        outputs[name] = {k: v["value"] for k, v in json.loads(shown.stdout).items()}

    assert outputs["sessions"] == {"lock_table": "locks-dev"}, "sessions read locks' output from its S3 state"
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == ["facets/dev/locks.tfstate", "facets/dev/sessions.tfstate"], "one state per stack, lock released"
    state = json.loads(s3.get_object(Bucket=BUCKET, Key="facets/dev/locks.tfstate")["Body"].read())
    assert state["outputs"][cross_output]["value"] == "locks-dev"
