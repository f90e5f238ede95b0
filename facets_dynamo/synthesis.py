"""Synthesize validated resources into CDK for Terraform stacks, one stack per enabled resource.

The flow is: validate (never synthesize an invalid spec) -> build one engine ``App`` on the engine thread,
a stack per resource in reference order -> let each flavor plugin add its constructs -> ``App.synth()``
into a private temp dir -> read the JSON back, normalise it (sorted keys, 2-space indent, trailing
newline) -> hand it to the caller, or swap it into ``--out`` in one rename.
"""

from __future__ import annotations

import html
import json
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .contexts import SynthContext
from .diagnostics import Diagnostic, Diagnostics, Severity
from .engine import THREAD_NAME as ENGINE_THREAD
from .engine import Engine, EngineError, default_engine
from .host import Host, PluginFailure, default_host
from .output import MARKER as MARKER  # re-exported: the writer lives in output.py
from .output import OutRefused as OutRefused
from .output import dump, write_tree
from .references import reference_graph, synthesis_order
from .terraform_strings import Ref, escape
from .validation import validate_workspace

if TYPE_CHECKING:
    from .blueprint import Workspace
    from .config import Config
    from .display import Stack, Table
    from .environment import Environment
    from .resource import Resource


class SynthError(Exception):
    """Synthesis did not produce output; ``diagnostics`` says why."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        super().__init__("\n".join(d.format_text() for d in diagnostics.errors) or "synthesis failed")
        self.diagnostics = diagnostics


# -- the result ------------------------------------------------------------------------------------

@dataclass
class Synthesized:
    """Synthesized stacks (name -> Terraform JSON) plus the cdktf manifest."""

    environment: str
    engine: str
    stacks: dict[str, dict[str, Any]]
    manifest: dict[str, Any]

    def files(self) -> dict[str, bytes]:
        out = {"manifest.json": dump(self.manifest)}
        for name, stack in self.stacks.items():
            out[f"stacks/{name}/cdk.tf.json"] = dump(stack)
        return out

    def write(self, out_dir: str | Path) -> Path:
        return write_tree(self.files(), Path(out_dir))

    def __repr__(self) -> str:
        return f"<Synthesized {len(self.stacks)} stack(s) for {self.environment!r}: {', '.join(self.stacks)}>"

    def stack(self, name: str) -> Stack:
        """One stack's Terraform JSON (a dict) that also tabulates its resources and outputs."""
        from .display import Stack

        if name not in self.stacks:
            raise KeyError(f"no stack {name!r}; stacks: {', '.join(self.stacks) or 'none'}")
        return Stack(name, self.stacks[name])

    def resources(self) -> Table:
        """Every Terraform resource and data source of every stack, one row each."""
        from .display import Table

        return Table([r for n in self.stacks for r in self.stack(n).resources()],
                     ["stack", "address", "type", "name"], f"resources ({self.environment})")

    def outputs(self) -> Table:
        """Every Terraform output of every stack, one row each."""
        from .display import Table

        return Table([o for n in self.stacks for o in self.stack(n).outputs()],
                     ["stack", "output", "value", "description", "sensitive"], f"outputs ({self.environment})")

    def _repr_html_(self) -> str:
        from .display import stacks_html

        return stacks_html(self.stacks, self.environment, self.engine)


def highlight_json(data: Any) -> str:
    text = json.dumps(data, indent=2, sort_keys=True)
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import JsonLexer

        return highlight(text, JsonLexer(), HtmlFormatter(noclasses=True, nowrap=False))
    except ImportError:  # pragma: no cover - pygments comes with rich
        return f"<pre>{html.escape(text)}</pre>"


# -- the pipeline ----------------------------------------------------------------------------------

def synthesize_workspace(workspace: Workspace, *, host: Host | None = None, engine: Engine | None = None,
                         validate: bool = True, progress: Callable[[Resource], None] | None = None,
                         config: Config | None = None) -> Synthesized:
    """Validate (with ``config`` applied, see :func:`validate_workspace`), then synthesize every enabled,
    non-provided resource. Raises :class:`SynthError`.

    ``progress`` is called (on the engine thread) after each resource's stack is built.
    """
    host = host or default_host()
    if validate:
        found = validate_workspace(workspace, host, config=config)
        if not found.ok:
            raise SynthError(found)
    try:
        engine = engine or default_engine()
        return _run_watched(engine, host, _synthesize, workspace, host, engine, progress)
    except EngineError as exc:
        raise SynthError(Diagnostics([Diagnostic("<engine>", 0, 0, "", Severity.ERROR, "FD800", str(exc))])) from exc
    except PluginFailure as exc:
        raise SynthError(Diagnostics([Diagnostic("<plugin>", 0, 0, "", Severity.ERROR, "FD900", str(exc))])) from exc


def _run_watched(engine: Engine, host: Host, fn: Callable[..., Synthesized], *args: Any) -> Synthesized:
    """``engine.run(fn, *args)``, but a plugin hook that overruns ``host.hook_timeout`` on the engine thread
    becomes a :class:`PluginFailure` here instead of blocking the caller forever (the engine is abandoned:
    its thread cannot be interrupted)."""
    if threading.current_thread().name.startswith(ENGINE_THREAD):
        return engine.run(fn, *args)
    future = engine.submit(fn, *args)
    while True:
        try:
            return future.result(timeout=0.1)
        except FutureTimeout:
            failure = host.overdue()
            if failure is not None:
                engine.abandon(f"plugin {failure.plugin!r} hung in {failure.hook!r}")
                raise failure from None


def stack_backend_path(stack_name: str) -> str:
    """Relative to ``stacks/<name>/``, and also right when read from a sibling stack's remote state."""
    return f"../{stack_name}/terraform.tfstate"


def _synthesize(workspace: Workspace, host: Host, engine: Engine,
                progress: Callable[[Resource], None] | None = None) -> Synthesized:
    e = engine.module
    env = workspace.environment
    exports: dict[tuple[str, str], str | Ref] = {}
    provided = {r.address: r for r in workspace.resources if r.provided and not r.disabled}
    with tempfile.TemporaryDirectory(prefix="facets-dynamo-synth-") as tmp:
        app = e.App(outdir=tmp, **_app_options(env))
        names: list[str] = []
        for resource in synthesis_order([r for r in workspace.resources if not r.disabled and not r.provided]):
            stack = e.TerraformStack(app, resource.name)
            _add_backend(e, stack, env, resource.name)
            _add_provider(e, stack, env)
            ctx = SynthContext(resource, env, stack, e, exports, provided)
            results = host.call_each("synthesize", key=resource.key, resource=resource, context=ctx)
            if not results:
                raise PluginFailure("?", "synthesize", f"no plugin synthesized {resource.key} "
                                    f"({resource.file})")
            names.append(resource.name)
            if progress is not None:
                progress(resource)
        app.synth()
        root = Path(tmp)
        manifest = json.loads((root / "manifest.json").read_text())
        stacks = {n: json.loads((root / "stacks" / n / "cdk.tf.json").read_text()) for n in sorted(names)}
    return Synthesized(env.name, f"{engine.name} {engine.version}", stacks, manifest)


# S3 native state locking needs Terraform / OpenTofu 1.10; cdktn checks the project's declared targets
_LOCKFILE_TARGETS = {"terraform": ">=1.10.0", "opentofu": ">=1.10.0"}


def _app_options(env: Environment) -> dict[str, Any]:
    """``App`` arguments: none for most environments (so their output is as before); S3 native locking
    declares the Terraform versions it needs, which cdktn checks (``targetVersions``)."""
    if env.backend.type == "s3" and env.backend.settings.get("use_lockfile") is True:
        return {"context": {"targetVersions": dict(_LOCKFILE_TARGETS)}}
    return {}


def _add_backend(e: Any, stack: Any, env: Environment, stack_name: str) -> None:
    """The environment's state backend, through the engine's own construct: the engine then also reads a
    referenced stack's outputs through it (``terraform_remote_state`` with the same settings)."""
    backend = env.backend
    if backend.type == "local":
        e.LocalBackend(stack, path=stack_backend_path(stack_name))
        return
    settings = _escaped(backend.for_stack(stack_name, env.name))
    if backend.type == "s3":
        role = settings.pop("assume_role", None)
        lockfile = settings.pop("use_lockfile", None)
        native = lockfile is not None and _accepts(e.S3Backend, "use_lockfile")
        if native:
            settings["use_lockfile"] = lockfile
        construct = e.S3Backend(stack, **settings, assume_role=e.S3BackendAssumeRoleConfig(**role) if role else None)
        if lockfile is not None and not native:  # cdktf 0.21 predates S3 native locking (Terraform 1.10)
            construct.add_override("use_lockfile", lockfile)
        return
    workspaces = settings["workspaces"]
    if "name" in workspaces:
        chosen = e.NamedCloudWorkspace(workspaces["name"], project=workspaces.get("project"))
    else:
        chosen = e.TaggedCloudWorkspaces(workspaces["tags"], project=workspaces.get("project"))
    e.CloudBackend(stack, organization=settings["organization"], workspaces=chosen, hostname=settings.get("hostname"))


def _accepts(cls: type, argument: str) -> bool:
    import inspect

    return argument in inspect.signature(cls.__init__).parameters


def _escaped(value: Any) -> Any:
    """Every string made literal for Terraform (environment files are data, like specs)."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {escape(k): _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _add_provider(e: Any, stack: Any, env: Environment) -> None:
    """A generic ``aws`` provider (the prebuilt bindings cost ~15 s and 1.6 GB to import). Its arguments are
    overrides: one engine call each, where a subclass answering ``synthesizeAttributes`` costs two callbacks
    per stack. Blocks (``assume_role``, ``default_tags``, ``endpoints``) are one-element lists, as the typed
    bindings write them."""
    provider = e.TerraformProvider(stack, "aws", terraform_resource_type="aws",
                                   terraform_generator_metadata=e.TerraformProviderGeneratorMetadata(
                                       provider_name="aws", provider_version_constraint=">= 5.0"),
                                   terraform_provider_source="hashicorp/aws")
    provider.add_override("region", escape(env.region))
    for name, value in env.provider.arguments().items():
        provider.add_override(name, _escaped(value))


# -- the apply graph ---------------------------------------------------------------------------------

@dataclass
class ApplyGraph:
    """A blueprint's resources for one environment, the references between them and the order to apply
    their stacks in (dependencies first). Built without the engine."""

    environment: Environment
    nodes: list[dict[str, Any]]  # every resource: address, name, kind, status (stack / disabled / provided)
    edges: list[tuple[str, str]]  # (referrer, referenced): the referrer's stack reads the other's state
    order: list[str]  # stack names, dependencies first

    def _names(self) -> dict[str, str]:
        return {n["address"]: n["name"] for n in self.nodes}

    def waves(self) -> dict[str, int]:
        """Stack name -> wave: 0 for stacks that read no other, else one more than the latest stack it reads.
        The stacks of one wave can be applied at the same time, once every earlier wave is done."""
        names = self._names()
        reads = {names[s]: [names[t] for x, t in self.edges if x == s] for s, _ in self.edges}
        wave: dict[str, int] = {}
        for name in self.order:  # dependencies come first, so theirs are known
            wave[name] = 1 + max((wave[t] for t in reads.get(name, [])), default=-1)
        return wave

    def _label(self, node: dict[str, Any]) -> str:
        if node["status"] == "stack":
            return f"{self.order.index(node['name']) + 1}. {node['address']}"
        return f"{node['address']} ({node['status']})"

    def to_json(self) -> dict[str, Any]:
        env = self.environment
        names = self._names()
        by_name = {n["name"]: n for n in self.nodes}
        waves = self.waves()
        stacks = []
        for name in self.order:
            address = by_name[name]["address"]
            stacks.append({"name": name, "address": address, "wave": waves[name], "folder": f"stacks/{name}",
                           "depends_on": [names[t] for s, t in self.edges if s == address],
                           "state": env.backend.state(name, env.name)})
        return {"environment": env.name, "backend": env.backend.type, "apply_order": list(self.order),
                "stacks": stacks, "resources": self.nodes,
                "references": [{"from": s, "to": t} for s, t in self.edges]}

    def to_mermaid(self) -> str:
        """A Mermaid flowchart: an arrow from each stack to each stack it references (whose state it reads:
        apply that one first); stacks are numbered in apply order, other resources are rounded."""
        ids = {n["address"]: f"n{i}" for i, n in enumerate(self.nodes)}
        lines = ["flowchart LR", f"  %% facets-dynamo graph, environment {self.environment.name}"]
        for n in self.nodes:
            shape = ('["', '"]') if n["status"] == "stack" else ('(["', '"])')
            lines.append(f"  {ids[n['address']]}{shape[0]}{_mermaid_text(self._label(n))}{shape[1]}")
        for source, target in self.edges:
            lines.append(f"  {ids[source]} -->|references| {ids[target]}")
        return "\n".join(lines) + "\n"

    def to_dot(self) -> str:
        """Graphviz DOT, arrows and numbers as in :meth:`to_mermaid`; resources that are no stack are dashed."""
        lines = [f"digraph {_dot_id('facets-dynamo ' + self.environment.name)} {{", "  rankdir=LR;"]
        for n in self.nodes:
            style = "" if n["status"] == "stack" else ", style=dashed"
            lines.append(f"  {_dot_id(n['address'])} [label={_dot_id(self._label(n))}{style}];")
        for source, target in self.edges:
            lines.append(f"  {_dot_id(source)} -> {_dot_id(target)} [label=\"references\"];")
        lines.append("}")
        return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return html.escape(text, quote=True)


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def apply_graph(workspace: Workspace) -> ApplyGraph:
    """The graph ``facets-dynamo graph`` prints; edges from :func:`reference_graph`, order from
    :func:`synthesis_order` (so it is the order ``synth`` builds the stacks in)."""
    built = [r for r in workspace.resources if not r.disabled and not r.provided]
    order = [r.name for r in synthesis_order(built)]
    everything = sorted(workspace.resources, key=lambda r: r.address)
    nodes = [{"address": r.address, "name": r.name, "kind": r.kind,
              "status": "disabled" if r.disabled else "provided" if r.provided else "stack"} for r in everything]
    edges = [(source, target) for source, targets in sorted(reference_graph(built).items()) for target in targets]
    return ApplyGraph(workspace.environment, nodes, edges, order)
