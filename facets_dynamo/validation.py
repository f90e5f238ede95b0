"""Validate resources: envelope, the flavor's JSON Schema, then every plugin's own rules.

Nothing here imports the CDK engine or starts Node; ``facets-dynamo validate`` must stay fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .contexts import ValidationContext
from .diagnostics import Diagnostic, Diagnostics
from .host import Host, PluginFailure, default_host
from .jsonsource import pointer_join

if TYPE_CHECKING:
    from jsonschema import ValidationError

    from .blueprint import Workspace
    from .config import Config
    from .flavor import FlavorKey
    from .resource import Resource


def validate_workspace(workspace: Workspace, host: Host | None = None,
                       progress: Callable[[Resource], None] | None = None,
                       config: Config | None = None) -> Diagnostics:
    """All problems of all resources in ``workspace``, loading problems included, sorted; ``.root`` is the
    workspace's blueprint folder, if it has one.

    ``progress`` is called after each resource (the CLI draws a progress bar with it). ``config`` (see
    :mod:`facets_dynamo.config`; None: none) turns checks off (severity ``"off"``) or on (``enable``), changes
    severities per code and environment, applies its suppressions and adds its own problems.
    """
    host = host or default_host()
    ctx = _context(workspace, host, workspace.by_address(), config)
    found = Diagnostics(list(workspace.diagnostics))
    resources = workspace.resources
    for start in range(0, len(resources), _BATCH):
        batch = resources[start:start + _BATCH]
        for resource, problems in zip(batch, _validate_batch(batch, ctx, host), strict=True):
            found.extend(problems)
            if progress is not None:
                progress(resource)
    if config is not None:
        found = Diagnostics(configured(found, workspace, config))
    found.root = workspace.root  # so a problem table shows paths relative to the blueprint
    return found.sorted()


def validate_each(workspace: Workspace, resources: list[Resource], host: Host | None = None,
                  by_address: dict[str, Resource] | None = None, config: Config | None = None,
                  ) -> list[list[Diagnostic]]:
    """The problems of each of ``resources`` (one list per resource, unsorted), checked against ``workspace``
    (its environment, and its resources for references); loading problems are not included. The editor
    uses it to re-check only the resource being typed in and the ones that reference it (``by_address``:
    ``workspace.by_address()`` when the caller has it already). ``config`` only decides which checks run
    here; apply the rest of it to the whole list with :func:`configured`."""
    host = host or default_host()
    ctx = _context(workspace, host, by_address if by_address is not None else workspace.by_address(), config)
    found: list[list[Diagnostic]] = []
    for start in range(0, len(resources), _BATCH):
        found += _validate_batch(resources[start:start + _BATCH], ctx, host)
    return found


def configured(found: Iterable[Diagnostic], workspace: Workspace, config: Config | None,
               unused: bool = True) -> list[Diagnostic]:
    """``found`` (every problem of ``workspace``) as ``config`` wants it: severities per code and environment,
    suppressions (and FD502 / FD503 for expired and unused ones), the configuration's own FD501 problems.
    The one place a configuration is applied, whichever surface validates (CLI, API, editor). ``unused``
    False: ``workspace`` is a part of the blueprint, so a suppression matching nothing in it is not FD503."""
    if config is None or config.file is None:
        return list(found)
    from .config import addresses, apply

    return apply(list(found), config, workspace.environment.name, addresses(workspace), unused=unused)


def _context(workspace: Workspace, host: Host, by_address: dict[str, Resource],
             config: Config | None) -> ValidationContext:
    env = workspace.environment
    switches = {} if config is None else {"enable": config.enabled(env.name), "disable": config.disabled(env.name)}
    return ValidationContext(env, host.flavors, by_address, **switches)


_BATCH = 100  # resources whose plugin hooks go to the hook worker in one hand-off (progress is drawn per batch)


def _validate_batch(resources: list[Resource], ctx: ValidationContext, host: Host) -> list[list[Diagnostic]]:
    keys = [r.key for r in resources]  # a property that builds a FlavorKey: once per resource, not four times
    found = [_envelope(resource, key, host) + _schema(resource, key, host)
             for resource, key in zip(resources, keys, strict=True)]
    answers = host.call_many("validate", [{"resource": r, "context": ctx} for r in resources], keys=keys)
    for resource, problems, (results, failures) in zip(resources, found, answers, strict=True):
        problems += _plugin_diagnostics(resource, results, failures)
    return found


def _schema(resource: Resource, key: FlavorKey | None, host: Host) -> list[Diagnostic]:
    flavor = host.flavors.get(key) if key else None
    if flavor is None:
        return []
    try:
        validator = flavor.validator
    except Exception as exc:  # a plugin shipped a broken or unreadable schema: report it, keep going
        return [resource.diagnostic("", "FD900", f"plugin {flavor.plugin!r} registered {flavor.key} with an "
                                    f"unusable JSON Schema: {type(exc).__name__}: "
                                    f"{str(exc).splitlines()[0] if str(exc) else ''}")]
    if flavor.certainly_valid(resource.data):  # a compiled yes/no first; jsonschema explains a no
        return []
    return schema_diagnostics(resource, validator)


def _envelope(resource: Resource, key: FlavorKey | None, host: Host) -> list[Diagnostic]:
    """Checks every flavor needs before its schema can even be chosen."""
    problems: list[Diagnostic] = []
    data = resource.data
    for name in ("kind", "flavor", "version"):
        value = data.get(name)
        if value is None and not (name == "kind" and resource.kind_from_folder):
            problems.append(resource.diagnostic("", "FD201", f"missing required field {name!r}"))
        elif value is not None and not isinstance(value, str):
            hint = f' (write "{value}")' if name == "version" and isinstance(value, int | float) else ""
            problems.append(resource.diagnostic(f"/{name}", "FD201", f"{name!r} must be a string, not "
                                                f"{type(value).__name__} {value!r}{hint}"))
        elif isinstance(value, str) and not value.strip():
            problems.append(resource.diagnostic(f"/{name}", "FD201", f"{name!r} must not be empty"))
    if problems:
        return problems
    if key not in host.flavors:
        available = ", ".join(host.available()) or "none (no flavor plugins are installed)"
        problems.append(resource.diagnostic("/flavor" if "flavor" in data else "", "FD202",
                                            f"no plugin serves {resource.key}; available flavors: "
                                            f"{available}"))
    return problems


def _plugin_diagnostics(resource: Resource, results: list[tuple[str, Any]],
                        failures: list[PluginFailure]) -> list[Diagnostic]:
    problems = [resource.diagnostic("", "FD900", str(exc)) for exc in failures]
    for plugin, result in results:
        if not isinstance(result, Iterable):
            problems.append(resource.diagnostic("", "FD901", f"plugin {plugin!r} returned "
                                                f"{type(result).__name__} from validate, not diagnostics"))
            continue
        problems.extend(d for d in result if isinstance(d, Diagnostic))
    return problems


# -- JSON Schema errors as diagnostics -------------------------------------------------------------

_CODES = {
    "required": "FD301", "type": "FD302", "enum": "FD303", "const": "FD303",
    "additionalProperties": "FD304", "unevaluatedProperties": "FD304", "propertyNames": "FD305",
    "pattern": "FD305", "format": "FD305", "minLength": "FD306", "maxLength": "FD306",
    "minimum": "FD306", "maximum": "FD306", "exclusiveMinimum": "FD306", "exclusiveMaximum": "FD306",
    "minItems": "FD306", "maxItems": "FD306", "minProperties": "FD306", "maxProperties": "FD306",
    "uniqueItems": "FD307",
}


def schema_diagnostics(resource: Resource, validator: Any) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for error in validator.iter_errors(resource.data):
        out.extend(_from_schema_error(resource, _deepest(error)))
    return out


def _deepest(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf, the sub-error that best explains the failure."""
    if error.context:
        from jsonschema.exceptions import best_match

        return _deepest(best_match(error.context))
    return error


def _from_schema_error(resource: Resource, error: ValidationError) -> list[Diagnostic]:
    pointer = pointer_join("", *error.absolute_path)
    keyword = str(error.validator)
    if len(error.relative_schema_path) >= 2 and error.relative_schema_path[-2] == "propertyNames":
        keyword = "propertyNames"  # jsonschema names the inner keyword ("pattern"); the culprit is the key
    schema = error.schema if isinstance(error.schema, dict) else {}
    code = schema.get("x-code") or _CODES.get(keyword, "FD300")
    hint = schema.get("x-hint")
    where = pointer or "the document"
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {})) if isinstance(error.schema, dict) else []
        extras = _unexpected(error)
        allowed_text = f"; allowed here: {', '.join(allowed)}" if allowed else ""
        return [resource.diagnostic(pointer_join(pointer, key), code, f"unknown field {key!r} in {where}"
                                    f"{allowed_text}", key=True) for key in extras]
    if keyword == "required":
        message = f"missing required field {error.message.split(' is a required')[0]} in {where}"
    elif keyword == "propertyNames":
        return [resource.diagnostic(pointer_join(pointer, error.instance), code,
                                    f"key {error.instance!r} in {where} is not allowed: {error.message}"
                                    + (f" ({hint})" if hint else ""), key=True)]
    else:
        message = error.message
    if hint:
        message += f" ({hint})"
    return [resource.diagnostic(pointer, code, message)]


def _unexpected(error: ValidationError) -> list[str]:
    import re

    schema = error.schema if isinstance(error.schema, dict) else {}
    known = set(schema.get("properties", {}))
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return sorted(k for k in error.instance if k not in known and not any(p.search(k) for p in patterns))
