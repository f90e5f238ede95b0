"""The environment a resource is deployed to: its name, AWS region and the cloud tags every table gets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic, Severity
from .jsonsource import read_document

DEFAULT_ENVIRONMENT = "default"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Environment:
    name: str = DEFAULT_ENVIRONMENT
    region: str = DEFAULT_REGION
    cloud_tags: dict[str, str] = field(default_factory=dict)
    file: str | None = None

    def __post_init__(self) -> None:
        """Fail at once, by field, rather than deep inside synthesis (``region=None`` was an AttributeError)."""
        if not isinstance(self.name, str):  # an empty or odd name is a diagnostic (FD403) further on
            raise TypeError(f"Environment.name must be a string, not {self.name!r}")
        if not isinstance(self.region, str) or not self.region.strip():
            raise TypeError(f"Environment.region must be a non-empty string, not {self.region!r}")
        if not isinstance(self.cloud_tags, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in self.cloud_tags.items()):
            raise TypeError(f"Environment.cloud_tags must be a dict of strings to strings, not {self.cloud_tags!r}")

    def __hash__(self) -> int:
        return hash((self.name, self.region, tuple(sorted(self.cloud_tags.items()))))


def load_environment(path: Path, name: str | None = None) -> tuple[Environment | None, list[Diagnostic]]:
    """Read an environment file (``{"name": ..., "region": ..., "cloud_tags": {...}}``).

    ``name`` is what ``--env`` said; when the file names another environment that is an error, because
    overrides and the table name suffix would silently disagree.
    """
    doc, problems = read_document(path)
    if doc is None:
        return None, problems
    data = doc.data

    def bad(pointer: str, message: str) -> None:
        loc = doc.source.locate(pointer)
        problems.append(Diagnostic(doc.file, loc.line, loc.column, pointer, Severity.ERROR, "FD401", message))

    if not isinstance(data, dict):
        bad("", "an environment file must be a JSON object with name, region and cloud_tags")
        return None, problems
    env_name = data.get("name", name or DEFAULT_ENVIRONMENT)
    region = data.get("region", DEFAULT_REGION)
    tags = data.get("cloud_tags", {})
    if not isinstance(env_name, str) or not env_name:
        bad("/name", "'name' must be a non-empty string")
    elif name is not None and env_name != name:
        bad("/name", f"environment file is for {env_name!r} but --env is {name!r}")
    if not isinstance(region, str) or not region:
        bad("/region", "'region' must be a non-empty string such as 'us-east-1'")
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        bad("/cloud_tags", "'cloud_tags' must be an object of string values")
    for key in sorted(set(data) - {"name", "region", "cloud_tags"}):
        loc = doc.source.locate("/" + key, key=True)
        problems.append(Diagnostic(doc.file, loc.line, loc.column, "/" + key, Severity.WARNING, "FD402",
                                   f"unknown environment field {key!r} is ignored"))
    if any(p.is_error for p in problems):
        return None, problems
    return Environment(env_name, region, dict(tags), doc.file), problems
