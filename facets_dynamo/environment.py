"""The environment a resource is deployed to: its name, AWS region, cloud tags, state backend and provider settings.

An environment file (``<bp>/<env>/environment.json``, or ``--env-file``) may sit on a blueprint-wide one
(``<bp>/environment.json``): the shared file is the base and the environment's file is merged over it with
JSON Merge Patch (RFC 7396), so a team states its state bucket once. Every diagnostic points into the file the
offending value came from. ``schemas/environment.json`` is the published JSON Schema of the same format
(``tests/host/test_environment.py`` keeps the two in agreement).

Nothing here imports the CDK engine: environment files are checked by ``validate``, which never starts Node.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Severity
from .jsonsource import Document, SourceMap, pointer_join, read_document

DEFAULT_ENVIRONMENT = "default"
DEFAULT_REGION = "us-east-1"

BACKEND_TYPES = ("local", "s3", "cloud")
PLACEHOLDERS = ("stack", "environment")

# Codes (FD4xx): FD401 wrong type or value, FD402 unknown top-level field (warning), FD403/FD404 the --env
# name (blueprint.py), FD405 missing required field, FD406 a state key or workspace name that is not one per
# stack, FD407 malformed ARN / account id / URL / name, FD408 fields that exclude each other, FD409 a tag in
# default_tags and cloud_tags with two values (warning), FD410 S3 state without locking (warning), FD411 tagged
# HCP Terraform workspaces with cross-stack references, FD412 unknown field inside backend or provider.

class _Pattern:
    """A regular expression compiled on first use: ``validate`` imports this module on every run, and
    compiling a dozen patterns nobody's file needs cost ~8 ms of its cold start."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled: re.Pattern[str] | None = None

    def _get(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self._get().fullmatch(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self._get().finditer(text)


_ROLE_ARN = _Pattern(r"arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}")
_KMS_KEY = _Pattern(r"arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_+=,.@:-]+")
_SESSION_NAME = _Pattern(r"[A-Za-z0-9+=,.@_-]{2,64}")
_EXTERNAL_ID = _Pattern(r"[A-Za-z0-9+=,.@:/_-]{2,1224}")
_ACCOUNT_ID = _Pattern(r"[0-9]{12}")
_BUCKET = _Pattern(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_LOCK_TABLE = _Pattern(r"[A-Za-z0-9_.-]{3,255}")
_SERVICE = _Pattern(r"[a-z0-9]+")
_ORGANIZATION = _Pattern(r"[A-Za-z0-9_-]{1,255}")
_HOSTNAME = _Pattern(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
                       r"(:[0-9]{1,5})?")
_PLACEHOLDER = _Pattern(r"\{([^{}]*)\}")
_WORKSPACE_NAME = _Pattern(r"[A-Za-z0-9_-]{1,90}")

ASSUME_ROLE_FIELDS = ("role_arn", "session_name", "external_id")
S3_FIELDS = ("bucket", "key", "region", "use_lockfile", "dynamodb_table", "encrypt", "kms_key_id", "assume_role",
             "workspace_key_prefix")
CLOUD_FIELDS = ("organization", "workspaces", "hostname")
PROVIDER_FIELDS = ("assume_role", "allowed_account_ids", "forbidden_account_ids", "default_tags", "endpoints")
TOP_FIELDS = ("$schema", "name", "region", "cloud_tags", "backend", "provider")


def _frozen_hash(*values: Any) -> int:
    return hash(json.dumps(values, sort_keys=True, default=str))


@dataclass(frozen=True)
class Backend:
    """Where every stack of the environment keeps its Terraform state.

    ``type`` is ``local`` (``stacks/<name>/terraform.tfstate`` beside the output, the default), ``s3`` or
    ``cloud`` (HCP Terraform / Terraform Enterprise). ``settings`` holds the checked fields of the file's
    ``backend`` object except ``type``, as written: ``{stack}`` and ``{environment}`` are filled in per stack
    by :meth:`for_stack`.
    """

    type: str = "local"
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.type not in BACKEND_TYPES:
            raise ValueError(f"Backend.type must be one of {', '.join(BACKEND_TYPES)}, not {self.type!r}")

    def __hash__(self) -> int:
        return _frozen_hash(self.type, self.settings)

    def for_stack(self, stack: str, environment: str) -> dict[str, Any]:
        """The settings for one stack, placeholders filled in (a deep copy: callers may change it)."""
        def fill(value: Any) -> Any:
            if isinstance(value, str):
                return fill_placeholders(value, stack, environment)
            if isinstance(value, Mapping):
                return {k: fill(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [fill(v) for v in value]
            return value

        return fill(copy.deepcopy(dict(self.settings)))  # type: ignore[no-any-return]

    def state(self, stack: str, environment: str) -> dict[str, Any]:
        """Where this stack's state lives, for pipelines (``graph --format json``): the backend type plus the
        address of the state (S3 bucket/key/region, the HCP Terraform organization and workspace, or the
        local path relative to the output folder)."""
        if self.type == "local":
            return {"backend": "local", "path": f"stacks/{stack}/terraform.tfstate"}
        settings = self.for_stack(stack, environment)
        if self.type == "s3":
            return {"backend": "s3", **{k: settings[k] for k in ("bucket", "key", "region", "workspace_key_prefix")
                                         if k in settings}}
        workspaces = settings["workspaces"]
        out: dict[str, Any] = {"backend": "cloud", "organization": settings["organization"],
                               "hostname": settings.get("hostname", "app.terraform.io")}
        if "name" in workspaces:
            out["workspace"] = workspaces["name"]
        else:
            out["workspace"] = None  # chosen at run time (TF_WORKSPACE) among the tagged ones
            out["tags"] = workspaces["tags"]
        if "project" in workspaces:
            out["project"] = workspaces["project"]
        return out


@dataclass(frozen=True)
class ProviderSettings:
    """The AWS provider's settings beyond the region (all optional)."""

    assume_role: Mapping[str, str] | None = None  # role_arn, session_name?, external_id?
    allowed_account_ids: tuple[str, ...] = ()
    forbidden_account_ids: tuple[str, ...] = ()
    default_tags: Mapping[str, str] = field(default_factory=dict)
    endpoints: Mapping[str, str] = field(default_factory=dict)  # service -> URL (LocalStack, moto server)

    def __hash__(self) -> int:
        return _frozen_hash(self.assume_role, self.allowed_account_ids, self.forbidden_account_ids,
                            self.default_tags, self.endpoints)

    def arguments(self) -> dict[str, Any]:
        """The provider arguments in Terraform JSON, blocks as one-element lists (as the typed bindings write
        them), in a fixed order; empty when nothing is set."""
        out: dict[str, Any] = {}
        if self.assume_role:
            out["assume_role"] = [dict(self.assume_role)]
        if self.allowed_account_ids:
            out["allowed_account_ids"] = list(self.allowed_account_ids)
        if self.forbidden_account_ids:
            out["forbidden_account_ids"] = list(self.forbidden_account_ids)
        if self.default_tags:
            out["default_tags"] = [{"tags": dict(self.default_tags)}]
        if self.endpoints:
            out["endpoints"] = [dict(self.endpoints)]
        return out


@dataclass(frozen=True)
class Environment:
    name: str = DEFAULT_ENVIRONMENT
    region: str = DEFAULT_REGION
    cloud_tags: dict[str, str] = field(default_factory=dict)
    file: str | None = None
    backend: Backend = field(default_factory=Backend)
    provider: ProviderSettings = field(default_factory=ProviderSettings)
    _source: SourceMap | None = field(default=None, compare=False, repr=False)  # positions of the file(s) read

    def diagnostic(self, pointer: str, code: str, message: str, severity: Severity = Severity.ERROR) -> Diagnostic:
        """A diagnostic at ``pointer`` of the environment file(s) this environment was read from."""
        if self._source is None:
            return Diagnostic(self.file or "<environment>", 0, 0, pointer, severity, code, message)
        loc = self._source.locate(pointer)
        return Diagnostic(loc.file or self.file or "<environment>", loc.line, loc.column, pointer, severity, code,
                          message)

    def __post_init__(self) -> None:
        """Fail at once, by field, rather than deep inside synthesis (``region=None`` was an AttributeError)."""
        if not isinstance(self.name, str):  # an empty or odd name is a diagnostic (FD403) further on
            raise TypeError(f"Environment.name must be a string, not {self.name!r}")
        if not isinstance(self.region, str) or not self.region.strip():
            raise TypeError(f"Environment.region must be a non-empty string, not {self.region!r}")
        if not isinstance(self.cloud_tags, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in self.cloud_tags.items()):
            raise TypeError(f"Environment.cloud_tags must be a dict of strings to strings, not {self.cloud_tags!r}")
        if not isinstance(self.backend, Backend):
            raise TypeError(f"Environment.backend must be a Backend, not {self.backend!r}")
        if not isinstance(self.provider, ProviderSettings):
            raise TypeError(f"Environment.provider must be ProviderSettings, not {self.provider!r}")

    def __hash__(self) -> int:
        return hash((self.name, self.region, tuple(sorted(self.cloud_tags.items())), self.backend, self.provider))


def fill_placeholders(template: str, stack: str, environment: str) -> str:
    return template.replace("{stack}", stack).replace("{environment}", environment)


# -- reading -----------------------------------------------------------------------------------------

def load_environment(path: Path | None, name: str | None = None, shared: Path | None = None, *,
                     partial: bool = False) -> tuple[Environment | None, list[Diagnostic]]:
    """Read an environment file, merged over the blueprint-wide ``shared`` one when given.

    ``name`` is what ``--env`` said; when the file names another environment that is an error, because
    overrides and the table name suffix would silently disagree. With errors the answer is ``None``, or with
    ``partial`` the environment as far as it could be read (a bad ``backend`` or ``provider`` left at its
    default), so that resources are still checked against the right region and tags: only for callers that
    keep the errors and refuse to synthesize (the blueprint loader does).
    """
    docs: list[Document] = []
    problems: list[Diagnostic] = []
    for file in (shared, path):
        if file is None:
            continue
        doc, found = read_document(file)
        problems += found
        if doc is None:
            return None, problems
        if not isinstance(doc.data, dict):
            loc = doc.source.locate("")
            problems.append(Diagnostic(doc.file, loc.line, loc.column, "", Severity.ERROR, "FD401",
                                       "an environment file must be a JSON object with name, region, cloud_tags, "
                                       "backend and provider"))
            return None, problems
        docs.append(doc)
    if not docs:
        return Environment(name if name is not None else DEFAULT_ENVIRONMENT), problems
    data, source = _merged(docs)
    checker = _Checker(source, docs[-1].file)
    env = checker.environment(data, name, shared_file=docs[0].file if shared is not None else None)
    problems += checker.problems
    if env is None or (any(p.is_error for p in problems) and not partial):
        return None, problems
    return env, problems


def _merged(docs: list[Document]) -> tuple[dict[str, Any], SourceMap]:
    """The shared document with the environment's merged over it; positions from the file each value came
    from. A ``backend`` of another ``type`` than the shared one replaces it whole (its fields would not fit)."""
    import json_merge_patch

    data: dict[str, Any] = copy.deepcopy(docs[0].data)
    source = docs[0].source
    for doc in docs[1:]:
        patch = doc.data
        base_backend, new_backend = data.get("backend"), patch.get("backend")
        replace = (isinstance(base_backend, dict) and isinstance(new_backend, dict)
                   and new_backend.get("type", base_backend.get("type")) != base_backend.get("type"))
        data = json_merge_patch.merge(data, copy.deepcopy(patch))
        if replace:
            data["backend"] = copy.deepcopy(new_backend)
        source = source.overlay(doc.source)
    return data, source


class _Checker:
    """Checks the merged document field by field; each problem is positioned in the file its value came from."""

    def __init__(self, source: SourceMap, file: str) -> None:
        self.source = source
        self.file = file
        self.problems: list[Diagnostic] = []

    def add(self, pointer: str, code: str, message: str, *, key: bool = False,
            severity: Severity = Severity.ERROR) -> None:
        loc = self.source.locate(pointer, key=key)
        self.problems.append(Diagnostic(loc.file or self.file, loc.line, loc.column, pointer, severity, code,
                                        message))

    # -- generic shapes --

    def object(self, value: Any, pointer: str, what: str) -> bool:
        if isinstance(value, dict):
            return True
        self.add(pointer, "FD401", f"{what} must be an object, not {_type(value)}")
        return False

    def unknown(self, value: dict[str, Any], pointer: str, allowed: tuple[str, ...]) -> None:
        for key in sorted(set(value) - set(allowed)):
            import difflib

            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.add(pointer_join(pointer, key), "FD412", f"unknown field {key!r} in {pointer}{hint}; allowed "
                     f"here: {', '.join(allowed)}", key=True)

    def string(self, value: Any, pointer: str, pattern: _Pattern | None = None, what: str = "",
               code: str = "FD407") -> bool:
        if not isinstance(value, str) or not value:
            self.add(pointer, "FD401", f"{pointer} must be a non-empty string, not {_type(value)}")
            return False
        if pattern is not None and not pattern.fullmatch(value):
            self.add(pointer, code, f"{value[:120]!r} is not {what}")
            return False
        return True

    def boolean(self, value: Any, pointer: str) -> bool:
        if isinstance(value, bool):
            return True
        self.add(pointer, "FD401", f"{pointer} must be true or false, not {_type(value)}")
        return False

    def string_map(self, value: Any, pointer: str, what: str) -> bool:
        if not self.object(value, pointer, what):
            return False
        ok = True
        for key, item in value.items():
            if not isinstance(item, str):
                self.add(pointer_join(pointer, key), "FD401", f"{what} values must be strings, not {_type(item)}")
                ok = False
        return ok

    def required(self, value: dict[str, Any], pointer: str, names: tuple[str, ...]) -> bool:
        missing = [n for n in names if n not in value]
        for name in missing:
            self.add(pointer, "FD405", f"missing required field {name!r} in {pointer}")
        return not missing

    def template(self, value: str, pointer: str, what: str, *, need_stack: bool) -> bool:
        ok = True
        for match in _PLACEHOLDER.finditer(value):
            if match.group(1) not in PLACEHOLDERS:
                self.add(pointer, "FD406", f"{what} {value!r} has an unknown placeholder {match.group(0)}; the "
                         "placeholders are {stack} and {environment}")
                ok = False
        if need_stack and "{stack}" not in value:
            self.add(pointer, "FD406", f"{what} {value!r} has no {{stack}} placeholder: every stack would use one "
                     "state, each apply overwriting the others (write e.g. \"facets/{environment}/{stack}."
                     "tfstate\")")
            ok = False
        return ok

    # -- the document --

    def environment(self, data: dict[str, Any], name: str | None, shared_file: str | None) -> Environment | None:
        env_name = data.get("name", name or DEFAULT_ENVIRONMENT)
        region = data.get("region", DEFAULT_REGION)
        tags = data.get("cloud_tags", {})
        if not isinstance(env_name, str) or not env_name:
            self.add("/name", "FD401", "'name' must be a non-empty string")
        elif name is not None and env_name != name:
            where = " (from the blueprint-wide environment file: leave 'name' out of it)" if (
                shared_file is not None and self.source.locate("/name").file == shared_file) else ""
            self.add("/name", "FD401", f"environment file is for {env_name!r} but --env is {name!r}{where}")
        if not isinstance(region, str) or not region:
            self.add("/region", "FD401", "'region' must be a non-empty string such as 'us-east-1'")
        if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
            self.add("/cloud_tags", "FD401", "'cloud_tags' must be an object of string values")
        if "$schema" in data and not isinstance(data["$schema"], str):
            self.add("/$schema", "FD401", "'$schema' must be a string (the URL or path of the JSON Schema)")
        for key in sorted(set(data) - set(TOP_FIELDS)):
            import difflib

            close = difflib.get_close_matches(key, TOP_FIELDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.add(pointer_join("", key), "FD402", f"unknown environment field {key!r} is ignored{hint}", key=True,
                     severity=Severity.WARNING)
        backend = self.backend(data["backend"]) if "backend" in data else Backend()
        provider = self.provider(data["provider"]) if "provider" in data else ProviderSettings()
        if provider is not None and isinstance(tags, dict):
            for key, value in sorted(provider.default_tags.items()):
                if key in tags and tags[key] != value:
                    self.add(pointer_join("/provider/default_tags", key), "FD409", f"tag {key!r} is "
                             f"{value!r} in provider.default_tags but {tags[key]!r} in cloud_tags: resources that "
                             "carry cloud_tags (the tables, their policies) get the cloud_tags value",
                             severity=Severity.WARNING)
        if any(p.is_error and p.path in ("/name", "/region", "/cloud_tags") for p in self.problems):
            return None
        backend = backend or Backend()  # read as far as it could be: the caller decides (load_environment)
        provider = provider or ProviderSettings()
        if backend.type == "s3" and "region" not in backend.settings:  # the state bucket's region: the environment's
            backend = Backend("s3", {**backend.settings, "region": region})
        return Environment(env_name, region, dict(tags), self.file, backend, provider, self.source)

    def assume_role(self, value: Any, pointer: str) -> dict[str, str] | None:
        if not self.object(value, pointer, pointer):
            return None
        self.unknown(value, pointer, ASSUME_ROLE_FIELDS)
        if not self.required(value, pointer, ("role_arn",)):
            return None
        ok = self.string(value["role_arn"], pointer + "/role_arn", _ROLE_ARN,
                         "an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)")
        if "session_name" in value:
            ok &= self.string(value["session_name"], pointer + "/session_name", _SESSION_NAME,
                              "a session name (2-64 of letters, digits and +=,.@_-)")
        if "external_id" in value:
            ok &= self.string(value["external_id"], pointer + "/external_id", _EXTERNAL_ID,
                              "an external id (2-1224 of letters, digits and +=,.@:/_-)")
        return {k: value[k] for k in ASSUME_ROLE_FIELDS if k in value} if ok else None

    def backend(self, value: Any) -> Backend | None:
        pointer = "/backend"
        if not self.object(value, pointer, "'backend'"):
            return None
        kind = value.get("type")
        if kind is None:
            self.add(pointer, "FD405", f"missing required field 'type' in /backend (one of {', '.join(BACKEND_TYPES)})")
            return None
        if kind not in BACKEND_TYPES:
            self.add(pointer + "/type", "FD401", f"backend type {kind!r} is not one of {', '.join(BACKEND_TYPES)}")
            return None
        if kind == "local":
            self.unknown(value, pointer, ("type",))
            return Backend() if not set(value) - {"type"} else None
        errors = len([p for p in self.problems if p.is_error])
        settings = self.s3(value) if kind == "s3" else self.cloud(value)
        if settings is None or len([p for p in self.problems if p.is_error]) > errors:
            return None
        return Backend(kind, settings)

    def s3(self, value: dict[str, Any]) -> dict[str, Any] | None:
        p = "/backend"
        self.unknown(value, p, ("type", *S3_FIELDS))
        if not self.required(value, p, ("bucket", "key")):
            return None
        self.string(value["bucket"], p + "/bucket", _BUCKET, "an S3 bucket name (3-63 of a-z, 0-9, '.', '-')")
        if self.string(value["key"], p + "/key"):
            key = value["key"]
            if self.template(key, p + "/key", "state key", need_stack=True) and (
                    key.startswith("/") or key.endswith("/")):
                self.add(p + "/key", "FD407", f"state key {key!r} must not start or end with '/'")
        if "region" in value:
            self.string(value["region"], p + "/region")
        for flag in ("use_lockfile", "encrypt"):
            if flag in value:
                self.boolean(value[flag], f"{p}/{flag}")
        if "dynamodb_table" in value:
            self.string(value["dynamodb_table"], p + "/dynamodb_table", _LOCK_TABLE,
                        "a DynamoDB table name (3-255 of letters, digits, '_', '.', '-')")
        if "kms_key_id" in value:
            self.string(value["kms_key_id"], p + "/kms_key_id", _KMS_KEY,
                        "a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/<id>)")
            if value.get("encrypt") is False:
                self.add(p + "/kms_key_id", "FD408", "kms_key_id needs encrypt: true (or leave encrypt out)")
        if "workspace_key_prefix" in value and self.string(value["workspace_key_prefix"],
                                                            p + "/workspace_key_prefix"):
            prefix = value["workspace_key_prefix"]
            if self.template(prefix, p + "/workspace_key_prefix", "workspace_key_prefix", need_stack=False) and (
                    prefix.startswith("/") or prefix.endswith("/")):
                self.add(p + "/workspace_key_prefix", "FD407", f"workspace_key_prefix {prefix!r} must not start "
                         "or end with '/'")
        role = self.assume_role(value["assume_role"], p + "/assume_role") if "assume_role" in value else None
        if value.get("use_lockfile") is not True and "dynamodb_table" not in value:
            self.add(p, "FD410", "S3 state without locking: two applies of one stack can corrupt its state; set "
                     "\"use_lockfile\": true (Terraform >= 1.10) or a dynamodb_table", severity=Severity.WARNING)
        settings = {k: value[k] for k in S3_FIELDS if k in value and k != "assume_role"}
        if role is not None:
            settings["assume_role"] = role
        return settings

    def cloud(self, value: dict[str, Any]) -> dict[str, Any] | None:
        p = "/backend"
        self.unknown(value, p, ("type", *CLOUD_FIELDS))
        if not self.required(value, p, ("organization", "workspaces")):
            return None
        self.string(value["organization"], p + "/organization", _ORGANIZATION,
                    "an organization name (letters, digits, '_', '-')")
        if "hostname" in value:
            self.string(value["hostname"], p + "/hostname", _HOSTNAME, "a host name such as app.terraform.io "
                        "(no scheme, no path)")
        workspaces = value["workspaces"]
        wp = p + "/workspaces"
        if not self.object(workspaces, wp, "'workspaces'"):
            return None
        self.unknown(workspaces, wp, ("name", "tags", "project"))
        if ("name" in workspaces) == ("tags" in workspaces):
            self.add(wp, "FD408" if "name" in workspaces else "FD405",
                     "give workspaces either 'name' (a pattern with {stack}: one workspace per stack) or 'tags', "
                     "not both" if "name" in workspaces else "missing 'name' (a pattern with {stack}) or 'tags' "
                     "in /backend/workspaces")
            return None
        if "name" in workspaces and self.string(workspaces["name"], wp + "/name"):
            name = workspaces["name"]
            if self.template(name, wp + "/name", "workspace name", need_stack=True) and not _WORKSPACE_NAME.fullmatch(
                    fill_placeholders(name, "s", "e")):
                self.add(wp + "/name", "FD407", f"workspace name {name!r} may hold only letters, digits, '_' and "
                         "'-' (at most 90 characters)")
        if "tags" in workspaces:
            tags = workspaces["tags"]
            if not isinstance(tags, list) or not tags:
                self.add(wp + "/tags", "FD401", "'tags' must be a non-empty list of strings")
            else:
                for i, tag in enumerate(tags):
                    if self.string(tag, f"{wp}/tags/{i}"):
                        self.template(tag, f"{wp}/tags/{i}", "workspace tag", need_stack=False)
        if "project" in workspaces:
            self.string(workspaces["project"], wp + "/project")
        return {"organization": value["organization"], "workspaces": dict(workspaces),
                **({"hostname": value["hostname"]} if "hostname" in value else {})}

    def provider(self, value: Any) -> ProviderSettings | None:
        p = "/provider"
        if not self.object(value, p, "'provider'"):
            return None
        errors = len([d for d in self.problems if d.is_error])
        self.unknown(value, p, PROVIDER_FIELDS)
        role = self.assume_role(value["assume_role"], p + "/assume_role") if "assume_role" in value else None
        ids: dict[str, tuple[str, ...]] = {}
        for name in ("allowed_account_ids", "forbidden_account_ids"):
            if name in value:
                ids[name] = self.account_ids(value[name], f"{p}/{name}")
        if len(ids) == 2:
            self.add(f"{p}/forbidden_account_ids", "FD408", "allowed_account_ids and forbidden_account_ids exclude "
                     "each other: keep one (allowed_account_ids is the safer guard)", key=True)
        tags: dict[str, str] = {}
        if "default_tags" in value and self.string_map(value["default_tags"], p + "/default_tags", "default_tags"):
            tags = dict(value["default_tags"])
        endpoints: dict[str, str] = {}
        if "endpoints" in value and self.object(value["endpoints"], p + "/endpoints", "'endpoints'"):
            for service, url in value["endpoints"].items():
                ep = pointer_join(p + "/endpoints", service)
                if not _SERVICE.fullmatch(service):
                    self.add(ep, "FD407", f"{service!r} is not an AWS service name as the provider's endpoints "
                             "block spells it (lower case letters and digits: dynamodb, iam, sts, s3)", key=True)
                elif self.string(url, ep) and not _is_url(url):
                    self.add(ep, "FD407", f"{url[:120]!r} is not an http(s) URL such as http://localhost:4566")
                else:
                    endpoints[service] = url
        if len([d for d in self.problems if d.is_error]) > errors:
            return None
        return ProviderSettings(role, ids.get("allowed_account_ids", ()), ids.get("forbidden_account_ids", ()), tags,
                                endpoints)

    def account_ids(self, value: Any, pointer: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            self.add(pointer, "FD401", f"{pointer} must be a non-empty list of 12-digit account ids (strings)")
            return ()
        out = []
        for i, item in enumerate(value):
            ip = f"{pointer}/{i}"
            if isinstance(item, int) and not isinstance(item, bool):
                self.add(ip, "FD407", f"account id {item} must be a string (write \"{item:012d}\": a number loses "
                         "leading zeros)")
            elif self.string(item, ip, _ACCOUNT_ID, "a 12-digit AWS account id"):
                if item in out:
                    self.add(ip, "FD401", f"account id {item!r} is listed twice")
                out.append(item)
        return tuple(out)


def _is_url(text: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in text)


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {json.dumps(value)}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {value[:60]!r}"
    return {dict: "an object", list: "a list"}.get(type(value), type(value).__name__)
