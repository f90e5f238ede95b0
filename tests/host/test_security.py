"""Security promises: a spec is data only. It cannot load code, run code, fetch anything, write outside
``--out``, or widen the IAM policies the flavor generates."""

from __future__ import annotations

import copy
import http.server
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL

from facets_dynamo import api
from facets_dynamo.synthesis import SynthError, Synthesized, write_tree

TABLE_ARN = "${aws_dynamodb_table.table.arn}"


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


# -- plugins come from entry points only -----------------------------------------------------------

EVIL_MODULE = """
import pathlib
pathlib.Path({marker!r}).write_text("imported")
from facets_dynamo import hookimpl

@hookimpl
def register_flavors(register):
    pathlib.Path({marker!r}).write_text("registered")
"""


@pytest.fixture
def evil(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An importable module ``evil_plugin`` that leaves a marker file if anything ever imports it."""
    site = tmp_path / "site"
    site.mkdir()
    marker = tmp_path / "EVIL_WAS_IMPORTED"
    (site / "evil_plugin.py").write_text(EVIL_MODULE.format(marker=str(marker)))
    monkeypatch.syspath_prepend(str(site))
    return site, marker


def _naming_the_plugin(tmp_path: Path) -> Path:
    doc = copy.deepcopy(MINIMAL)
    doc["metadata"] = {"plugin": "evil_plugin", "module": "evil_plugin:register_flavors",
                       "entry_point": "facets_dynamo = evil_plugin", "tags": {"plugin": "evil_plugin"}}
    doc["advanced"] = {"plugins": ["evil_plugin"], "aws_dynamodb": {"tags": {"import": "evil_plugin"}}}
    doc["$schema"] = "evil_plugin"
    path = tmp_path / "locks.json"
    path.write_text(json.dumps(doc, indent=2))
    other = copy.deepcopy(MINIMAL)
    other["flavor"] = "evil_plugin"  # an unknown flavor named like the module: FD202, nothing imported
    (tmp_path / "other.json").write_text(json.dumps(other, indent=2))
    return path


def test_spec_naming_a_plugin_loads_nothing_in_process(tmp_path: Path, evil: tuple[Path, Path]) -> None:
    _site, marker = evil
    spec = _naming_the_plugin(tmp_path)
    assert api.validate(spec).ok
    found = api.validate(tmp_path / "other.json")
    assert [d.code for d in found.errors] == ["FD202"]
    result = api.synthesize(spec)
    assert "evil_plugin" not in sys.modules
    assert not marker.exists()
    assert "evil_plugin" in json.dumps(result.stacks["locks"])  # it stays a plain tag value


def test_spec_naming_a_plugin_loads_nothing_via_cli(tmp_path: Path, evil: tuple[Path, Path], run_cli) -> None:
    site, marker = evil
    spec = _naming_the_plugin(tmp_path)
    env = {"PYTHONPATH": str(site)}  # importable, but not an installed distribution with an entry point
    assert run_cli("validate", spec, env=env).returncode == 0
    assert run_cli("synth", spec, "--out", tmp_path / "out", env=env).returncode == 0
    assert "evil_plugin" not in run_cli("plugins", env=env).stdout
    assert not marker.exists()


def test_schema_url_in_a_spec_is_never_fetched(tmp_path: Path) -> None:
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"type": "object"}')

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        doc = copy.deepcopy(MINIMAL)
        doc["$schema"] = f"http://127.0.0.1:{server.server_port}/schema.json"
        doc["spec"]["$ref"] = f"http://127.0.0.1:{server.server_port}/ref.json"
        path = tmp_path / "locks.json"
        path.write_text(json.dumps(doc))
        found = api.validate(path)
        assert [d.path for d in found.errors] == ["/spec/$ref"]  # an unknown field, not a reference
    finally:
        server.shutdown()
    assert requests == []


# -- nothing in a spec is evaluated ----------------------------------------------------------------

PAYLOADS = [
    "__import__('pathlib').Path({marker!r}).write_text('eval')",
    "$(touch {marker})",
    "`touch {marker}`",
    "{{{{ ''.__class__.__mro__[1].__subclasses__() }}}}",
    "!!python/object/apply:os.system ['touch {marker}']",
    "${{file(\"{marker}\")}}",
    "%{{ for x in [1] }}{marker}%{{ endfor }}",
]


def test_nothing_in_a_spec_is_evaluated(tmp_path: Path, run_cli) -> None:
    marker = tmp_path / "EVALUATED"
    values = [p.format(marker=marker) for p in PAYLOADS]
    doc = copy.deepcopy(MINIMAL)
    doc["metadata"] = {"tags": {f"t{i}": v for i, v in enumerate(values)}, "description": values[0]}
    doc["advanced"] = {"aws_dynamodb": {"tags": {"code": values[0]}}}
    path = tmp_path / "locks.json"
    path.write_text(json.dumps(doc, indent=2))
    out = tmp_path / "out"
    assert run_cli("validate", path).returncode == 0
    proc = run_cli("synth", path, "--out", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not marker.exists()
    tags = json.loads((out / "stacks" / "locks" / "cdk.tf.json").read_text())[
        "resource"]["aws_dynamodb_table"]["table"]["tags"]
    literal = {k: v.replace("$${", "${").replace("%%{", "%{") for k, v in tags.items()}
    for i, value in enumerate(values):
        assert literal[f"t{i}"] == value  # reaches Terraform as the literal text, escaped where needed


# -- output paths stay inside --out ----------------------------------------------------------------

HOSTILE_NAMES = ["../escaped", "../../escaped", "/tmp/escaped-abs", "a/../../escaped", "locks\x00.json",
                 "..", ".", "sub/dir", "back\\slash", "C:\\escaped", "locks\n"]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[repr(n) for n in HOSTILE_NAMES])
def test_hostile_metadata_name_is_rejected_and_nothing_written(tmp_path: Path, name: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    doc = copy.deepcopy(MINIMAL)
    doc["metadata"] = {"name": name}
    path = work / "locks.json"
    path.write_text(json.dumps(doc, indent=2))
    before = _files(tmp_path)
    with pytest.raises(SynthError) as caught:
        api.synthesize(path, out=work / "out")
    assert "FD203" in {d.code for d in caught.value.diagnostics}
    assert _files(tmp_path) == before
    assert not Path("/tmp/escaped-abs").exists()


def test_hostile_name_from_override_is_rejected(tmp_path: Path) -> None:
    bp = tmp_path / "bp"
    (bp / "dynamodb" / "instances").mkdir(parents=True)
    (bp / "dynamodb" / "instances" / "locks.json").write_text(json.dumps(MINIMAL))
    (bp / "dev" / "dynamodb" / "instances").mkdir(parents=True)
    (bp / "dev" / "dynamodb" / "instances" / "locks.json").write_text(json.dumps({"metadata": {"name": "../x"}}))
    before = _files(tmp_path)
    with pytest.raises(SynthError) as caught:
        api.synthesize(bp, "dev", out=tmp_path / "out")
    assert "FD203" in {d.code for d in caught.value.diagnostics}
    assert _files(tmp_path) == before


@pytest.mark.parametrize("file_name", ["...json", "..json", "-rf.json", ".hidden.json", "a b.json"])
def test_hostile_file_name_is_rejected(tmp_path: Path, file_name: str) -> None:
    path = tmp_path / file_name
    path.write_text(json.dumps(MINIMAL))
    found = api.validate(path)
    assert "FD203" in {d.code for d in found.errors}


@pytest.mark.parametrize("rel", ["../escaped.json", "/tmp/escaped-abs.json", "stacks/../../escaped.json"])
def test_writer_refuses_paths_outside_out(tmp_path: Path, rel: str) -> None:
    """Defence in depth: even a stack name that slipped past validation cannot leave --out."""
    out = tmp_path / "out"
    with pytest.raises(OSError, match="inside the output directory"):
        write_tree({"manifest.json": b"{}", rel: b"{}"}, out)
    assert _files(tmp_path) == set()
    with pytest.raises(OSError):
        Synthesized("dev", "test", {rel.removesuffix(".json"): {}}, {}).write(out)
    assert _files(tmp_path) == set()


# -- --out is replaced only when it is ours ---------------------------------------------------------

def _state(root: Path) -> dict[str, tuple[str, bytes, int]]:
    """Every entry under ``root`` (folders, files, links), with bytes and mtime: "untouched byte for byte"."""
    found = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        kind = "link" if p.is_symlink() else "dir" if p.is_dir() else "file"
        data = str(p.readlink()).encode() if kind == "link" else p.read_bytes() if kind == "file" else b""
        found[str(p.relative_to(root))] = (kind, data, st.st_mtime_ns)
    return found


def _spec(tmp_path: Path) -> Path:
    path = tmp_path / "locks.json"
    path.write_text(json.dumps(MINIMAL))
    return path


def _refused(proc: Any) -> str:
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert proc.returncode == 2, proc.stderr
    return proc.stderr


def test_synth_refuses_a_users_folder_and_leaves_it_byte_for_byte(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "u"
    (out / "stacks" / "prod").mkdir(parents=True)
    (out / "modules").mkdir()
    (out / "README.md").write_text("x\n")
    (out / "stacks" / "prod" / "main.tf").write_text("x\n")
    (out / "modules" / "vpc.tf").write_text("x\n")
    for i in range(7):
        (out / f"note{i}.txt").write_text("mine\n")
    spec = _spec(tmp_path)
    before, siblings = _state(tmp_path), sorted(p.name for p in tmp_path.iterdir())
    err = _refused(run_cli("synth", spec, "--out", out))
    assert "did not write" in err and "README.md" in err and "modules" in err and "and 5 more" in err
    assert _state(tmp_path) == before and sorted(p.name for p in tmp_path.iterdir()) == siblings


def test_synth_refuses_a_cdktf_out_without_our_marker(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "cdktf.out"  # what `cdktf synth` of the user's own app writes
    (out / "stacks" / "app").mkdir(parents=True)
    (out / "manifest.json").write_text('{"version": "0.20.0"}\n')
    (out / "stacks" / "app" / "cdk.tf.json").write_text("{}\n")
    before = _state(out)
    err = _refused(run_cli("synth", _spec(tmp_path), "--out", out))
    assert "manifest.json" in err and "stacks" in err
    assert _state(out) == before


def test_synth_replaces_an_earlier_output_but_not_one_with_an_extra_file(run_cli, tmp_path: Path) -> None:
    spec, out = _spec(tmp_path), tmp_path / "out"
    assert run_cli("synth", spec, "--out", out).returncode == 0
    marker = json.loads((out / ".facets-dynamo-output.json").read_text())
    assert marker == {"written_by": "facets-dynamo", "files": ["manifest.json", "stacks/locks/cdk.tf.json"]}
    (out / "manifest.json").write_text("{}\n")  # changed contents of a file we wrote: still ours
    proc = run_cli("synth", spec, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "manifest.json").read_text())["stacks"]
    (out / "stacks" / "locks" / "notes.txt").write_text("mine\n")
    before = _state(out)
    err = _refused(run_cli("synth", spec, "--out", out))
    assert "stacks/locks/notes.txt" in err and "manifest.json" not in err
    assert _state(out) == before


def test_synth_uses_an_empty_folder(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    proc = run_cli("synth", _spec(tmp_path), "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert (out / "stacks" / "locks" / "cdk.tf.json").is_file()


def test_synth_refuses_a_symlinked_out_and_creates_nothing_outside(run_cli, tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "somewhere" / "deep" / "er" / "target")
    err = _refused(run_cli("synth", spec, "--out", dangling))
    assert f"--out {dangling} is a symbolic link to {tmp_path / 'somewhere'}" in err
    assert "give the target folder itself" in err
    assert not (tmp_path / "somewhere").exists() and dangling.is_symlink()
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    before = _state(tmp_path)
    _refused(run_cli("synth", spec, "--out", link))
    assert link.is_symlink() and link.readlink() == real and not any(real.iterdir())
    assert _state(tmp_path) == before


def test_synth_refuses_a_missing_parent_folder(run_cli, tmp_path: Path) -> None:
    err = _refused(run_cli("synth", _spec(tmp_path), "--out", tmp_path / "a" / "b" / "out"))
    assert "does not exist" in err and not (tmp_path / "a").exists()


def test_synth_removes_only_its_own_dead_temp_folders(run_cli, tmp_path: Path) -> None:
    import subprocess

    spec, out = _spec(tmp_path), tmp_path / "out"
    assert run_cli("synth", spec, "--out", out).returncode == 0
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    ours_new = tmp_path / f".out.new-{dead.pid}-abc123"  # a killed run's half-built tree
    ours_new.mkdir()
    (ours_new / ".facets-dynamo-output.json").write_text(
        json.dumps({"written_by": "facets-dynamo", "files": ["manifest.json"]}))
    ours_old = tmp_path / f".out.old-{dead.pid}-def456"  # a killed run's previous tree, moved aside
    import shutil

    shutil.copytree(out, ours_old / "tree")
    kept = {
        f".out.new-{dead.pid}-user01": "notes.txt",  # our name, but a file we never wrote
        f".out.old-{dead.pid}-user02": "tree/notes.txt",
        ".out.new-nopid": "x",  # not our naming
        f".out.new-{os.getpid()}-live01": ".facets-dynamo-output.json",  # a live process's run
        f".other.new-{dead.pid}-abc123": ".facets-dynamo-output.json",  # beside another folder
    }
    for name, rel in kept.items():
        (tmp_path / name / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name / rel).write_text(json.dumps({"written_by": "facets-dynamo", "files": []}))
    proc = run_cli("synth", spec, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert not ours_new.exists() and not ours_old.exists()
    assert all((tmp_path / name / rel).is_file() for name, rel in kept.items())


# -- the writer in-process (facets_dynamo/output.py) -------------------------------------------------

TREE = {"manifest.json": b"{}\n", "stacks/locks/cdk.tf.json": b'{"a": 1}\n'}


def _only_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _marker_of(out: Path) -> Any:
    return json.loads((out / ".facets-dynamo-output.json").read_bytes())


def test_write_tree_writes_the_files_and_a_marker_listing_them(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import facets_dynamo.output as output

    out = tmp_path / "out"
    seen: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:  # while the files are written: the new tree is built beside --out
        seen.extend(p.name for p in tmp_path.iterdir())
        real_fsync(fd)

    monkeypatch.setattr(output.os, "fsync", fsync)
    assert write_tree(TREE, out) == out
    monkeypatch.undo()
    assert seen and all(name.startswith(f".out.new-{os.getpid()}-") for name in seen), seen
    assert _only_files(out) == {"manifest.json", "stacks/locks/cdk.tf.json", ".facets-dynamo-output.json"}
    assert (out / "stacks" / "locks" / "cdk.tf.json").read_bytes() == b'{"a": 1}\n'
    assert _marker_of(out) == {"files": ["manifest.json", "stacks/locks/cdk.tf.json"], "written_by": "facets-dynamo"}
    raw = (out / ".facets-dynamo-output.json").read_text()
    assert raw.endswith("\n") and raw.index('"files"') < raw.index('"written_by"')  # sorted keys
    assert raw.startswith('{\n  "files": [\n    "manifest.json",')  # indented, one name a line
    assert out.stat().st_mode & 0o777 == 0o755  # not mkdtemp's 0700
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temp folder left beside it


def test_write_tree_replaces_an_earlier_output_even_with_a_listed_file_deleted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree({**TREE, "stacks/old/cdk.tf.json": b"{}"}, out)
    (out / "manifest.json").unlink()  # deleted by hand: nothing of the user's is in the way
    write_tree(TREE, out)
    assert _only_files(out) == {"manifest.json", "stacks/locks/cdk.tf.json", ".facets-dynamo-output.json"}
    empty = tmp_path / "empty"
    empty.mkdir()
    write_tree(TREE, empty)
    assert (empty / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "out"]


@pytest.mark.parametrize("marker", [
    None, b"not json", b"[]", b'{"written_by": "someone else", "files": []}', b'{"written_by": "facets-dynamo"}',
    b'{"written_by": "facets-dynamo", "files": "manifest.json"}',
    b'{"written_by": "facets-dynamo", "files": [1]}', b'{"written_by": "facets-dynamo", "files": ["../x"]}',
    b'{"written_by": "facets-dynamo", "files": ["a//b"]}', b'{"written_by": "facets-dynamo", "files": ["./a"]}',
    b'{"written_by": "facets-dynamo", "files": ["a\\\\b"]}', b'{"written_by": "facets-dynamo", "files": ["/abs"]}',
    b'{"written_by": "facets-dynamo", "files": ["a\\u0000"]}',
], ids=["none", "garbage", "list", "foreign", "no-files", "files-str", "files-int", "dotdot", "empty-part",
        "dot", "backslash", "absolute", "nul"])
def test_write_tree_refuses_a_folder_whose_marker_is_missing_or_not_ours(tmp_path: Path,
                                                                       marker: bytes | None) -> None:
    from facets_dynamo.output import OutRefused

    out = tmp_path / "out"
    (out / "stacks").mkdir(parents=True)
    (out / "manifest.json").write_bytes(b"{}")
    if marker is not None:
        (out / ".facets-dynamo-output.json").write_bytes(marker)
    before = _state(out)
    with pytest.raises(OutRefused, match=r"holds files facets-dynamo did not write \(.*manifest\.json"):
        write_tree(TREE, out)
    assert _state(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_write_tree_names_foreign_entries_folders_once_and_five_at_most(tmp_path: Path) -> None:
    from facets_dynamo.output import OutRefused

    out = tmp_path / "out"
    write_tree(TREE, out)
    (out / "mine" / "deep").mkdir(parents=True)
    (out / "mine" / "deep" / "x.tf").write_text("x")
    (out / "stacks" / "locks" / "extra.tf").write_text("x")
    (out / "link").symlink_to(out / "manifest.json")  # a link is never ours, even to a file we wrote
    with pytest.raises(OutRefused) as refused:
        write_tree(TREE, out)
    assert "(link, mine, stacks/locks/extra.tf)" in str(refused.value)
    (out / "z0").write_text("x")
    (out / "z1").write_text("x")
    with pytest.raises(OutRefused) as refused:  # exactly five: all named, no "and 0 more"
        write_tree(TREE, out)
    assert "(link, mine, stacks/locks/extra.tf, z0, z1);" in str(refused.value)
    for i in range(2, 6):
        (out / f"z{i}").write_text("x")
    with pytest.raises(OutRefused, match=r"\(link, mine, stacks/locks/extra\.tf, z0, z1 and 4 more\)"):
        write_tree(TREE, out)
    (out / ".facets-dynamo-output.json").unlink()
    (out / ".facets-dynamo-output.json").mkdir()  # a folder where the marker should be
    with pytest.raises(OutRefused):
        write_tree(TREE, out)


def test_a_link_in_place_of_a_folder_we_wrote_is_foreign(tmp_path: Path) -> None:
    from facets_dynamo.output import OutRefused

    out = tmp_path / "out"
    write_tree(TREE, out)
    elsewhere = tmp_path / "elsewhere"
    (out / "stacks" / "locks").rename(elsewhere)  # holds exactly the cdk.tf.json we listed
    (out / "stacks" / "locks").symlink_to(elsewhere)
    with pytest.raises(OutRefused, match=r"\(stacks/locks\)"):
        write_tree(TREE, out)
    assert (elsewhere / "cdk.tf.json").is_file() and (out / "stacks" / "locks").is_symlink()


def test_write_tree_refuses_links_missing_parents_files_and_its_own_marker_name(tmp_path: Path) -> None:
    from facets_dynamo.output import OutRefused

    target = tmp_path / "target"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(OutRefused, match=f"is a symbolic link to {target}"):
        write_tree(TREE, link)
    with pytest.raises(OutRefused, match=r"its parent folder .* does not exist"):
        write_tree(TREE, tmp_path / "a" / "b")
    a_file = tmp_path / "file"
    a_file.write_text("mine")
    with pytest.raises(OutRefused, match="exists and is not a directory"):
        write_tree(TREE, a_file)
    with pytest.raises(OSError, match="facets-dynamo's own marker"):
        write_tree({".facets-dynamo-output.json": b"{}"}, tmp_path / "out")
    assert a_file.read_text() == "mine" and link.is_symlink() and not list(target.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "link", "target"]


def test_write_tree_refuses_an_unreadable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import facets_dynamo.output as output

    out = tmp_path / "out"
    write_tree(TREE, out)

    def scandir(path: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(output.os, "scandir", scandir)
    with pytest.raises(output.OutRefused, match=r"cannot be read \(Permission denied\); refusing to replace it"):
        write_tree(TREE, out)


def test_write_tree_removes_only_dead_runs_own_temp_folders(tmp_path: Path) -> None:
    import shutil
    import subprocess

    out = tmp_path / "out"
    write_tree(TREE, out)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    ours_new = tmp_path / f".out.new-{dead.pid}-abc123"
    write_tree(TREE, ours_new)  # a killed run's half-built tree: exactly what we write
    ours_old = tmp_path / f".out.old-{dead.pid}-def456"
    shutil.copytree(out, ours_old / "tree")
    emptied = tmp_path / f".out.old-{dead.pid}-ghi789"  # moved aside, then the tree was put back
    emptied.mkdir()
    kept = {
        f".out.new-{dead.pid}-user01": "notes.txt",
        f".out.old-{dead.pid}-user02": "tree/notes.txt",
        f".out.old-{dead.pid}-user03": "other/x",
        ".out.new-nopid": ".facets-dynamo-output.json",
        f".out.new-{os.getpid()}-live01": ".facets-dynamo-output.json",
        f".other.new-{dead.pid}-abc123": ".facets-dynamo-output.json",
        f".out.new-{dead.pid}": ".facets-dynamo-output.json",  # no random part: not our naming
    }
    for name, rel in kept.items():
        (tmp_path / name / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name / rel).write_text(json.dumps({"written_by": "facets-dynamo", "files": []}))
    (tmp_path / f".out.old-{dead.pid}-file01").write_text("a file, not a folder")
    linked = tmp_path / f".out.old-{dead.pid}-link01"  # "tree" is a link to an earlier output: not ours to judge
    linked.mkdir()
    (linked / "tree").symlink_to(out)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live_new = tmp_path / f".out.new-{live.pid}-run001"  # a run still going on: left alone, not disturbed
        write_tree(TREE, live_new)
        for i in range(40):  # entries that are not ours, listed before and after the strays
            (tmp_path / f"unrelated-{i:02}").write_text("x")
        write_tree(TREE, out)
        assert live.poll() is None and live_new.is_dir()
    finally:
        live.kill()
        live.wait()
    assert linked.is_dir() and (linked / "tree").is_symlink() and (out / "manifest.json").is_file()
    assert not ours_new.exists() and not ours_old.exists() and not emptied.exists()
    assert all((tmp_path / name / rel).is_file() for name, rel in kept.items())
    assert (tmp_path / f".out.old-{dead.pid}-file01").is_file()


def test_a_failed_swap_puts_the_previous_output_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import facets_dynamo.output as output

    out = tmp_path / "out"
    write_tree(TREE, out)
    before = _state(out)
    real_rename = os.rename
    calls: list[tuple[str, str]] = []

    moved_aside: list[str] = []

    def rename(src: Any, dst: Any) -> None:
        calls.append((Path(src).name, Path(dst).name))
        if len(calls) == 1:
            moved_aside.append(str(dst))
        if len(calls) == 2:  # the new tree into place
            raise OSError(30, "Read-only file system")
        real_rename(src, dst)

    monkeypatch.setattr(output.os, "rename", rename)
    with pytest.raises(OSError, match="Read-only"):
        write_tree({"manifest.json": b"new"}, out)
    monkeypatch.undo()
    assert _state(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert calls[0] == ("out", "tree") and calls[2] == ("tree", "out")
    assert [Path(p).parent.name.startswith(f".out.old-{os.getpid()}-") and Path(p).parent.parent == tmp_path
            for p in moved_aside] == [True]


# -- IAM policies: least privilege, scoped to the table --------------------------------------------

READ_ANYWHERE = ["dynamodb:List*", "dynamodb:DescribeReservedCapacity*", "dynamodb:DescribeLimits",
                 "dynamodb:DescribeTimeToLive"]
READ_TABLE = ["dynamodb:BatchGet*", "dynamodb:DescribeStream", "dynamodb:DescribeTable", "dynamodb:Get*",
              "dynamodb:Query", "dynamodb:Scan"]
WRITE_TABLE = ["dynamodb:BatchWrite*", "dynamodb:CreateTable", "dynamodb:Delete*", "dynamodb:Update*",
               "dynamodb:PutItem"]


def test_iam_policies_are_exactly_upstreams(tmp_path: Path) -> None:
    path = tmp_path / "locks.json"
    path.write_text(json.dumps(MINIMAL))
    stack = api.synthesize(path, "dev").stacks["locks"]
    policies = stack["resource"]["aws_iam_policy"]
    assert set(policies) == {"policy_ro", "policy_rw"}
    assert policies["policy_ro"]["name"] == "dev-locks-dev_ro"
    assert policies["policy_rw"]["name"] == "dev-locks-dev_rw"
    table_scope = [TABLE_ARN, f"{TABLE_ARN}/index/*"]
    assert json.loads(policies["policy_ro"]["policy"]) == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": READ_ANYWHERE, "Resource": "*"},
        {"Effect": "Allow", "Action": READ_TABLE, "Resource": table_scope},
    ]}
    assert json.loads(policies["policy_rw"]["policy"]) == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": READ_ANYWHERE, "Resource": "*"},
        {"Effect": "Allow", "Action": READ_TABLE + WRITE_TABLE, "Resource": table_scope},
    ]}
    # No wildcard service action anywhere, and nothing but account-level reads on "*".
    for policy in policies.values():
        for statement in json.loads(policy["policy"])["Statement"]:
            assert "dynamodb:*" not in statement["Action"] and "*" not in statement["Action"]
            if statement["Resource"] == "*":
                assert statement["Action"] == READ_ANYWHERE


def test_iam_policy_arn_is_this_stacks_table(tmp_path: Path) -> None:
    """A user's tag cannot smuggle another ARN into the policy: the scope is the engine's own reference."""
    doc = copy.deepcopy(MINIMAL)
    doc["metadata"] = {"tags": {"arn": "arn:aws:dynamodb:*:*:table/*"}}
    path = tmp_path / "locks.json"
    path.write_text(json.dumps(doc))
    stack = api.synthesize(path, "dev").stacks["locks"]
    for policy in stack["resource"]["aws_iam_policy"].values():
        resources = [r for s in json.loads(policy["policy"])["Statement"] for r in
                     ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])]
        assert set(resources) == {"*", TABLE_ARN, f"{TABLE_ARN}/index/*"}
