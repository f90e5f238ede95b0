"""What a plugin is handed while it validates or synthesizes one resource, and nothing more.

Contexts give a plugin the environment, the other resources of the run and the constructs it may build;
they never hand out the host, the engine thread or the output writer, so a plugin cannot reach around the
contract (``facets_dynamo.plugin``) into the host's internals.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from .environment import Environment
from .flavor import Flavor, FlavorKey
from .resource import Resource, lookup_out
from .terraform_strings import Ref, render

T = TypeVar("T")


@dataclass
class ValidationContext:
    """What a plugin may consult while validating one resource of a run."""

    environment: Environment
    flavors: Mapping[FlavorKey, Flavor] = field(default_factory=dict)  # every flavor the installed plugins serve
    resources: dict[str, Resource] = field(default_factory=dict)  # by address ``kind.name``
    # code patterns the configuration enables / disables (``enable`` / severity "off"); opaque strings here
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    _enabled: dict[tuple[str, bool], bool] = field(default_factory=dict, repr=False, compare=False)

    def lookup(self, address: str) -> Resource | None:
        """Another resource of the run by its address ``kind.name`` (for references)."""
        return self.resources.get(address)

    def flavor(self, key: FlavorKey | None) -> Flavor | None:
        """The registered flavor of ``key`` (its outputs, schema), whichever plugin serves it."""
        return self.flavors.get(key) if key is not None else None

    def enabled(self, code: str, default: bool = True) -> bool:
        """Whether the check that emits ``code`` should run: the configuration's ``enable`` list (code or
        pattern such as ``DDB3*``) turns an opt-in check on, severity ``"off"`` turns a check off; otherwise
        ``default``. Lets a plugin skip work nobody asked for (a policy pack off by default)."""
        # asked per check per resource (a policy pack asks for each of its codes), so answered once per run:
        # enable and disable are set when the run's context is made and never change
        known = self._enabled.get((code, default))
        if known is None:
            from fnmatch import fnmatchcase

            known = not any(fnmatchcase(code, p) for p in self.disable) and (
                default or any(fnmatchcase(code, p) for p in self.enable))
            self._enabled[(code, default)] = known
        return known

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per validation run for ``key``: for checks that share work across resources
        (a reference graph, say). The context lives for one run, so nothing stale outlives it."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]


@dataclass
class Handle:
    """A Terraform resource or data source a plugin added."""

    construct: Any
    address: str  # e.g. aws_dynamodb_table.table

    def import_from(self, cloud_id: str) -> None:
        """A Terraform ``import`` block: ``terraform plan`` adopts the existing resource ``cloud_id`` into this
        address instead of creating it (a no-op once it is in the state)."""
        self.construct.import_from(cloud_id)

    def attr(self, name: str) -> Ref:
        """``${<type>.<id>.<name>}``, and an engine token when another stack uses it (see :class:`Ref`)."""
        token = cache(lambda: Ref(self.construct.get_string_attribute(name)))
        if not _PLAIN_ID.fullmatch(self.address.split(".", 1)[1]):  # the engine would rewrite the id: ask it
            return token()
        return Ref(f"${{{self.address}.{name}}}", token)


# A construct id the engine keeps as the Terraform name (it strips other characters from top-level ids).
_PLAIN_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,254}")

# Terraform's meta-arguments: the engine writes them from its own fields, never from a resource's attributes.
_META_ARGUMENTS = frozenset({"lifecycle", "depends_on", "count", "for_each", "provider", "provisioner", "connection"})


@dataclass
class SynthContext:
    """What a flavor plugin gets to build one resource's stack: add resources and outputs through it."""

    resource: Resource
    environment: Environment
    stack: Any
    engine: Any  # the cdktf/cdktn module; plugins should not need it
    _exports: dict[tuple[str, str], str | Ref] = field(default_factory=dict)
    _provided: dict[str, Resource] = field(default_factory=dict)

    def text(self, value: str) -> str:
        """User text made safe for Terraform, with blueprint references turned into real references."""
        return render(value, self._resolve)

    def value(self, value: Any) -> Any:
        """Apply :meth:`text` to every string in a JSON value; ``Ref`` values pass through."""
        if isinstance(value, Ref):
            return value.text
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value

    def add_resource(self, type_: str, id_: str, body: Mapping[str, Any], provider: str = "aws") -> Handle:
        """A Terraform resource ``type_.id_`` with the arguments in ``body`` (escaped, references resolved)."""
        arguments = self.value(dict(body))
        meta = {key: arguments.pop(key) for key in _META_ARGUMENTS & arguments.keys()}
        construct = _resource_class(self.engine)(self.stack, id_, type_, provider, arguments)
        for key, value in sorted(meta.items()):  # the engine drops these from synthesized attributes
            construct.add_override(key, value)
        return Handle(construct, f"{type_}.{id_}")

    def add_output(self, name: str, value: Any, description: str | None = None, sensitive: bool = False) -> None:
        """A Terraform output, also made available to other resources as ``${kind.name.out.<name>}``."""
        rendered = self.value(value)
        self.engine.TerraformOutput(self.stack, name, value=rendered, description=description,
                                    sensitive=sensitive or None)
        ref: str | Ref = value if isinstance(value, Ref) else Ref(rendered) if isinstance(rendered, str) else value
        self._exports[(self.resource.address, name)] = ref
        self._exports[(self.resource.address, f"attributes.{name}")] = ref

    def _resolve(self, kind: str, name: str, field_path: str) -> str | Ref | None:
        address = f"{kind}.{name}"
        if (address, field_path) in self._exports:  # another resource's: always in another stack (FD313)
            value = self._exports[(address, field_path)]
            return value.for_other_stack() if isinstance(value, Ref) else value
        provided = self._provided.get(address)
        if provided is not None:
            value = lookup_out(provided.out, field_path)
            return value if isinstance(value, str) else json.dumps(value) if value is not None else None
        return None


@cache
def _resource_class(e: Any) -> type:
    """A generic resource whose arguments the engine asks for once, at synth time.

    This is how the typed bindings work too (``synthesizeAttributes``); one ``add_override`` per argument
    instead cost a Node round trip each, over half of all engine calls of a large blueprint."""

    class GenericResource(e.TerraformResource):  # type: ignore[misc, name-defined]
        def __init__(self, scope: Any, id_: str, type_: str, provider: str, arguments: dict[str, Any]) -> None:
            super().__init__(scope, id_, terraform_resource_type=type_,
                             terraform_generator_metadata=e.TerraformProviderGeneratorMetadata(provider_name=provider))
            self._arguments = arguments

        def _synthesize_attributes(self) -> dict[str, Any]:
            return self._arguments

    return GenericResource
