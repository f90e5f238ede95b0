"""Mutation testing with mutmut 3, one module group at a time: ``./dev mutate [GROUP ...] [--jobs N]``.

Not part of CI. Each group gets its own staging folder ``.mutate/<group>/`` holding a copy of the sources with
the plugin moved to the top level (mutmut names a mutant after its file path, and the plugin is imported as
``facets_dynamodb_default``, not ``plugins.facets_dynamodb_default``) and a ``pyproject.toml`` whose
``[tool.mutmut]`` lists only that group's files and the fast in-process tests that exercise them. mutmut then
runs, per mutant, only the tests that called the mutated function (it records that in a first pass). Tests
that run the console script in a subprocess cannot see a mutant, so they are left out.

mutmut 3 does not mutate decorated functions, which would leave out every ``@rule`` of rules.py and every
``@property`` of model.py. In the staging copy (only there) those two files get the decorator applied after the
definition instead (``for fn in (...): rule(fn)`` at the end of the module, ``name = property(name)`` at the end of
the class): the same objects, registered in the same order, now visible to mutmut.

Groups: rules, model, synth, terraform_strings, jsonsource, output, document (default: all). ``--sample N`` runs
N mutants per group drawn at random (seed ``--seed``, default 10) instead of all of them: an estimate with its
sample size, for when a full run does not fit the time (the table says "sampled"). At the end a table per group
and a total are printed; ``--list-survivors`` also prints each surviving mutant's name
(``cd .mutate/<group> && ../../.venv/bin/mutmut show <name>`` shows its diff).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGE = ROOT / ".mutate"
MUTMUT = Path(sys.executable).with_name("mutmut")


@dataclass(frozen=True)
class Group:
    files: tuple[str, ...]  # paths inside the staging folder
    tests: tuple[str, ...]  # pytest selection (files or node ids), in-process tests only


PLUGIN = "facets_dynamodb_default"
DOCUMENT_TESTS = tuple(f"tests/editor/test_tui.py::{name}" for name in (
    "test_a_second_save_after_a_save_is_not_a_conflict",
    "test_save_refuses_when_the_file_changed_on_disk_unless_forced",
    "test_same_size_same_second_rewrite_is_still_a_conflict",
    "test_a_deleted_file_is_changed_on_disk_and_save_recreates_it_when_forced", "test_save_keeps_the_files_mode_bits",
    "test_a_new_file_gets_the_umask_mode_not_mkstemps_0600", "test_a_symlinked_spec_is_saved_through_the_link",
    "test_a_failed_save_leaves_the_original_intact_and_no_temp_file",
    "test_save_as_refuses_an_existing_file_or_link_and_then_edits_the_new_one",
    "test_open_reload_and_undecodable_bytes", "test_disk_stamp_is_mtime_size_and_hash",
    "test_detect_style_and_dump_json_round_trip"))
GROUPS: dict[str, Group] = {
    "rules": Group((f"{PLUGIN}/rules.py",), ("tests/plugin/test_rules_core.py", "tests/plugin/test_rules_advanced.py")),
    "model": Group((f"{PLUGIN}/model.py",),
                   ("tests/plugin/test_rules_core.py", "tests/plugin/test_rules_advanced.py",
                    "tests/host/test_synth_core.py")),
    "synth": Group((f"{PLUGIN}/synth.py",),
                   ("tests/host/test_synth_core.py", "tests/plugin/test_rules_advanced.py",
                    "tests/host/test_references.py",
                    "tests/host/test_security.py::test_iam_policies_are_exactly_upstreams",
                    "tests/host/test_security.py::test_iam_policy_arn_is_this_stacks_table")),
    "terraform_strings": Group(("facets_dynamo/terraform_strings.py",),
                               ("tests/plugin/test_properties.py::test_concatenated_text_stays_literal_around_references",
                                "tests/plugin/test_properties.py::test_render_resolves_every_known_reference_and_keeps_unknown_ones_literal",
                                "tests/plugin/test_properties.py::test_percent_before_a_brace_reference_is_not_a_directive",
                                "tests/plugin/test_properties.py::test_adjacent_literals_are_escaped_together",
                                "tests/host/test_synth_core.py", "tests/host/test_references.py")),
    "jsonsource": Group(("facets_dynamo/jsonsource.py",),
                        ("tests/host/test_jsonsource.py", "tests/host/test_blueprint.py",
                         "tests/host/test_bad_inputs.py::test_bad_input_in_process")),
    "output": Group(("facets_dynamo/output.py",), tuple(f"tests/host/test_security.py::{name}" for name in (
        "test_writer_refuses_paths_outside_out", "test_write_tree_writes_the_files_and_a_marker_listing_them",
        "test_write_tree_replaces_an_earlier_output_even_with_a_listed_file_deleted",
        "test_write_tree_refuses_a_folder_whose_marker_is_missing_or_not_ours",
        "test_write_tree_names_foreign_entries_folders_once_and_five_at_most",
        "test_write_tree_refuses_links_missing_parents_files_and_its_own_marker_name",
        "test_write_tree_refuses_an_unreadable_folder", "test_a_link_in_place_of_a_folder_we_wrote_is_foreign",
        "test_write_tree_removes_only_dead_runs_own_temp_folders",
        "test_a_failed_swap_puts_the_previous_output_back"))),
    "document": Group(("facets_dynamo/tui/document.py",), DOCUMENT_TESTS),
}

STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 36: "timeout",
          24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout", -11: "segfault", -9: "segfault",
          None: "not checked"}


UNDECORATE = (f"{PLUGIN}/rules.py", f"{PLUGIN}/model.py")


def undecorate(source: str) -> str:
    """``@rule`` / ``@property`` / ``@cached_property`` applied after the definition instead of as a decorator
    (see the module docstring); everything else is left as it is."""
    lines = source.splitlines()
    out: list[str] = []
    module_rules: list[str] = []
    pending: list[tuple[str, str]] = []  # (decorator, method) of the class being read

    def close_class() -> None:
        end = len(out)
        while end and not out[end - 1].strip():
            end -= 1
        out[end:end] = [f"    {name} = {deco}({name})" for deco, name in pending]
        pending.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip())
        if pending and line.strip() and indent == 0 and not line.lstrip().startswith("#"):
            close_class()
        deco = re.fullmatch(r"\s*@(rule|property|cached_property)", line)
        method = re.match(r"\s*def (\w+)\(", lines[i + 1]) if deco and i + 1 < len(lines) else None
        if deco and method:
            if indent == 0:
                module_rules.append(method[1])
            else:
                pending.append((deco[1], method[1]))
            i += 1
            continue
        out.append(line)
        i += 1
    if pending:
        close_class()
    if module_rules:
        out += ["", "", "# ./dev mutate: the decorator, applied after the definitions (mutmut skips decorated ones)",
                f"for _rule_fn in ({', '.join(module_rules)},):", "    rule(_rule_fn)"]
    return "\n".join(out) + "\n"


def _toml_list(items: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def stage(name: str, group: Group) -> Path:
    """A fresh staging folder for ``group`` (previous results of that group are discarded)."""
    folder = STAGE / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for sub in ("facets_dynamo", "tests", "examples", "schemas", "plugins"):
        shutil.copytree(ROOT / sub, folder / sub, ignore=ignore, symlinks=True)
    shutil.copytree(ROOT / "plugins" / PLUGIN, folder / PLUGIN, ignore=ignore)
    for rel in UNDECORATE:
        (folder / rel).write_text(undecorate((folder / rel).read_text(encoding="utf-8")), encoding="utf-8")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pyproject += f"""
[tool.mutmut]
source_paths = ["facets_dynamo", "{PLUGIN}"]
only_mutate = {_toml_list(group.files)}
also_copy = ["examples", "schemas", "plugins"]
# notebooks and nbmake off; stop at the first failing test (a mutant is killed by one)
pytest_add_cli_args = ["-o", "addopts=", "-p", "no:cacheprovider", "-x", "-q", "-m", "not conformance"]
pytest_add_cli_args_test_selection = {_toml_list(group.tests)}
# each worker is forked from a server that never started Node (the engine talks to Node over pipes that
# must not be shared between forked workers)
process_isolation = "forkserver"
# the server collects the tests once (collection never starts Node), so a worker starts in well under a second
forkserver_warmup = "collect"
# a mutant is a timeout only if its tests run 15 times longer than unmutated plus a minute: a worker waiting for a
# core on a loaded machine is not a hang
timeout_constant = 60
use_git_change_detection = false
"""
    (folder / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return folder


def mutant_names(folder: Path, files: tuple[str, ...]) -> list[str]:
    """Every mutant mutmut generated for ``files``, read from the mutated copies (``module.x_function__mutmut_N``)."""
    names = []
    for rel in files:
        module = rel.removesuffix(".py").replace("/", ".")
        text = (folder / "mutants" / rel).read_text(encoding="utf-8")
        names += [f"{module}.{m}" for m in re.findall(r"^\s*def (x[_ǁ]\S+?__mutmut_\d+)\(", text, re.MULTILINE)]
    return sorted(set(names))


def results(folder: Path, files: tuple[str, ...]) -> dict[str, str]:
    """mutant name -> status, read from mutmut's ``.meta`` files."""
    found: dict[str, str] = {}
    for rel in files:
        meta = folder / "mutants" / (rel + ".meta")
        if not meta.exists():
            continue
        data = json.loads(meta.read_text(encoding="utf-8"))
        for key, code in data.get("exit_code_by_key", {}).items():
            found[key] = STATUS.get(code, "suspicious")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", metavar="GROUP", help=", ".join(GROUPS) + " (default: all)")
    parser.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    parser.add_argument("--list-survivors", action="store_true")
    parser.add_argument("--sample", type=int, default=0, metavar="N", help="run N random mutants per group")
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()
    names = args.groups or list(GROUPS)
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}; choose from {', '.join(GROUPS)}")
    rows = []
    total: Counter[str] = Counter()
    for name in names:
        group = GROUPS[name]
        folder = stage(name, group)
        started = time.perf_counter()
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        command = [str(MUTMUT), "run", "--max-children", str(args.jobs)]
        every = 0
        if args.sample:
            # generate the mutants and record which tests reach which function; the filter matches nothing
            subprocess.run([*command, "no.such.mutant"], cwd=folder, env=env, capture_output=True)
            names = mutant_names(folder, group.files)
            every = len(names)
            command += random.Random(args.seed).sample(names, min(args.sample, every))
        proc = subprocess.run(command, cwd=folder, env=env)
        elapsed = time.perf_counter() - started
        status = {k: v for k, v in results(folder, group.files).items() if v != "not checked" or not args.sample}
        if every:
            name = f"{name} (sampled {len(status)} of {every})"
        counts = Counter(status.values())
        total.update(counts)
        rows.append((name, len(status), counts, elapsed, proc.returncode))
        if args.list_survivors:
            for key, value in sorted(status.items()):
                if value not in ("killed",):
                    print(f"  {value}: {key}")
    print("\n| group | mutants | killed | survived | timeout | other | killed % | killed+timeout % | run time |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, n, counts, elapsed, code in rows:
        other = n - counts["killed"] - counts["survived"] - counts["timeout"]
        pct = 100 * counts["killed"] / n if n else 0.0
        detected = 100 * (counts["killed"] + counts["timeout"]) / n if n else 0.0
        note = "" if code == 0 else f" (mutmut exit {code})"
        print(f"| {name} | {n} | {counts['killed']} | {counts['survived']} | {counts['timeout']} | {other} | "
              f"{pct:.1f}% | {detected:.1f}% | {elapsed / 60:.1f} min{note} |")
    n = sum(total.values())
    if len(rows) > 1 and n:
        other = n - total["killed"] - total["survived"] - total["timeout"]
        print(f"| total | {n} | {total['killed']} | {total['survived']} | {total['timeout']} | {other} | "
              f"{100 * total['killed'] / n:.1f}% | {100 * (total['killed'] + total['timeout']) / n:.1f}% | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
