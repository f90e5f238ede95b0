"""The project configuration: severities per code and environment, opt-in checks, suppressions, --fail-on.

Found upward from the blueprint (or the first path): the nearest ``.facets-dynamo.toml`` (keys at the top
level) or ``pyproject.toml`` with a ``[tool.facets-dynamo]`` table. Codes are opaque strings (or ``fnmatch``
patterns such as ``DDB3*``) to the host: it never knows what a code checks.

Every surface uses it the same way: :func:`discover` (or :func:`find` + :func:`load`) loads it, and
``validation.validate_workspace(..., config=)`` / ``validation.configured`` apply it (the CLI, ``fd.validate``
and ``fd.synthesize``, the editor).

```toml
[tool.facets-dynamo]
fail-on = "error"                     # or "warning"
enable = ["XYZ9*"]                    # checks a plugin ships off by default (opt-in)
[tool.facets-dynamo.severity]         # "error" | "warning" | "info" | "off" (off: the check does not run)
DDB303 = "info"
DDB304 = "off"
[tool.facets-dynamo.environments.prod.severity]
DDB301 = "error"
[[tool.facets-dynamo.suppress]]
code = "DDB302"
resources = ["dynamodb.locks"]        # addresses kind.name (patterns allowed)
reason = "lock table, holds no data"
expires = 2027-06-30
```

``tomllib`` gives no positions, so a bad entry is located by a small line scan of the TOML text
(:func:`_locate`): the line of the key (in its table) or of the ``[[...suppress]]`` header.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from .blueprint import Workspace

FILE_NAME = ".facets-dynamo.toml"
SEVERITIES = {"error", "warning", "info", "off"}
TOP_KEYS = {"fail-on", "enable", "severity", "environments", "suppress"}
SUPPRESS_KEYS = {"code", "resources", "reason", "expires"}


@dataclass(frozen=True)
class Suppression:
    code: str
    resources: tuple[str, ...]
    reason: str
    expires: dt.date | None
    line: int
    column: int

    def covers(self, code: str, address: str | None) -> bool:
        return fnmatchcase(code, self.code) and address is not None and any(
            fnmatchcase(address, p) for p in self.resources)


@dataclass
class Config:
    file: str | None = None
    prefix: tuple[str, ...] = ()  # ("tool", "facets-dynamo") in pyproject.toml
    fail_on: str = "error"
    enable: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    environments: dict[str, dict[str, str]] = field(default_factory=dict)
    suppress: list[Suppression] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    def severity_for(self, code: str, environment: str) -> str | None:
        for table in (self.environments.get(environment, {}), self.severity):
            for pattern, value in table.items():
                if fnmatchcase(code, pattern):
                    return value
        return None

    def disabled(self, environment: str) -> tuple[str, ...]:
        """Patterns whose checks need not run in ``environment``. The environment's own table wins over the
        global one, so a global ``"DDB3*" = "off"`` is not passed on when the environment turns one of its codes
        back on (``DDB301 = "error"`` in prod): those checks run, and :func:`apply` drops what stays off."""
        local = self.environments.get(environment, {})
        back_on = [p for p, v in local.items() if v != "off"]

        def overlaps(pattern: str) -> bool:
            return any(fnmatchcase(p, pattern) or fnmatchcase(pattern, p) for p in back_on)

        return (*(p for p, v in local.items() if v == "off"),
                *(p for p, v in self.severity.items() if v == "off" and p not in local and not overlaps(p)))

    def enabled(self, environment: str) -> tuple[str, ...]:
        merged = {**self.severity, **self.environments.get(environment, {})}
        return (*self.enable, *(p for p, v in merged.items() if v != "off"))


def discover(workspace: Workspace) -> Config:
    """The configuration that applies to ``workspace``: found upward from its blueprint folder, else from its
    first resource file on disk; none (an empty :class:`Config`) for in-memory resources."""
    start = workspace.root
    if start is None:
        start = next((Path(f) for r in workspace.resources for f in r.files if not f.startswith("<")), None)
    return load(find(existing(start))) if start is not None else Config()


def existing(start: Path) -> Path:
    """Where to start looking: ``start`` or its nearest existing parent (a name too long to stat, or a path
    that does not exist, is reported by validation; it must not fail the search)."""
    for candidate in (start, *start.parents):
        try:
            if candidate.exists():
                return candidate
        except OSError:
            continue
    return Path.cwd()


def addresses(workspace: Workspace) -> dict[str, str]:
    """Each file of ``workspace`` (base file or override) to the address of the resource it holds: what a
    suppression's ``resources`` are matched against."""
    return {f: r.address for r in workspace.resources for f in (r.file, *r.files)}


def find(start: Path) -> Path | None:
    """The nearest configuration file at or above ``start``: ``.facets-dynamo.toml``, or a ``pyproject.toml``
    holding ``[tool.facets-dynamo]`` (a pyproject without it is passed over)."""
    try:
        here = start.resolve()
        if not here.is_dir():
            here = here.parent
    except OSError:
        return None
    for folder in (here, *here.parents):
        try:
            found = _config_in(folder)
        except OSError:
            continue
        if found is not None:
            return found
    return None


def _config_in(folder: Path) -> Path | None:
    own = folder / FILE_NAME
    if own.is_file():
        return own
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        try:
            if "facets-dynamo" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}):
                return pyproject
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
            if re.search(r"^\[tool\.facets-dynamo", pyproject.read_text(encoding="utf-8", errors="replace"),
                         re.M):
                return pyproject
    return None


def load(path: Path | None) -> Config:
    if path is None:
        return Config()
    prefix = ("tool", "facets-dynamo") if path.name == "pyproject.toml" else ()
    config = Config(file=str(path), prefix=prefix)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        config.problems.append(Diagnostic(str(path), 0, 0, "", Severity.ERROR, "FD501", f"cannot read: {exc}"))
        return config
    try:
        data: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        lines = text.splitlines() or [""]
        line, col = (int(match[1]), int(match[2])) if match else (len(lines), len(lines[-1]) + 1)
        config.problems.append(Diagnostic(str(path), line, col, "", Severity.ERROR, "FD501", f"not valid TOML: {exc}"))
        return config
    for key in prefix:
        data = data.get(key, {}) if isinstance(data, dict) else {}

    def bad(keys: tuple[str, ...], message: str, table: tuple[str, ...] | None = None) -> None:
        line, col = _locate(text, (*prefix, *(table if table is not None else keys[:-1])), keys[-1] if keys else "")
        config.problems.append(Diagnostic(str(path), line, col, "/" + "/".join(keys), Severity.ERROR, "FD501",
                                          message))

    if not isinstance(data, dict):
        bad((), "the configuration must be a table")
        return config
    for key in data:
        if key not in TOP_KEYS:
            bad((key,), f"unknown key {key!r}; known: {', '.join(sorted(TOP_KEYS))}")
    fail_on = data.get("fail-on", "error")
    if fail_on not in ("error", "warning"):
        bad(("fail-on",), f"fail-on must be \"error\" or \"warning\", not {fail_on!r}")
    else:
        config.fail_on = fail_on
    enable = data.get("enable", [])
    if not (isinstance(enable, list) and all(isinstance(c, str) for c in enable)):
        bad(("enable",), "enable must be a list of codes or patterns, e.g. [\"DDB3*\"]")
    else:
        config.enable = tuple(enable)
    config.severity = _severities(data.get("severity", {}), ("severity",), bad)
    environments = data.get("environments", {})
    if isinstance(environments, dict):
        for env, table in environments.items():
            if not isinstance(table, dict) or set(table) - {"severity"}:
                bad(("environments", env), f"environments.{env} may hold only a severity table")
                continue
            config.environments[env] = _severities(table.get("severity", {}), ("environments", env, "severity"), bad)
    else:
        bad(("environments",), "environments must be a table of environment names")
    suppress = data.get("suppress", [])
    if not isinstance(suppress, list):
        bad(("suppress",), "suppress must be an array of tables ([[tool.facets-dynamo.suppress]])")
        suppress = []
    headers = _array_headers(text, (*prefix, "suppress"))
    for i, item in enumerate(suppress):
        line, col = headers[i] if i < len(headers) else (0, 0)

        def here(message: str, key: str | None = None, _i: int = i, _line: int = line, _col: int = col) -> None:
            where = _locate(text, (*prefix, "suppress"), key, start=_line) if key else (_line, _col)
            config.problems.append(Diagnostic(str(path), where[0] or _line, where[1] or _col,
                                              f"/suppress/{_i}" + (f"/{key}" if key else ""), Severity.ERROR,
                                              "FD501", message))

        if not isinstance(item, dict):
            here("a suppression must be a table with code, resources, reason and expires")
            continue
        for key in sorted(set(item) - SUPPRESS_KEYS):
            here(f"unknown key {key!r} in a suppression; known: {', '.join(sorted(SUPPRESS_KEYS))}", key)
        code, resources, reason, expires = (item.get(k) for k in ("code", "resources", "reason", "expires"))
        ok = True
        if not (isinstance(code, str) and code.strip()):
            here("a suppression needs code = \"CODE\"", "code" if "code" in item else None)
            ok = False
        if not (isinstance(resources, list) and resources and all(isinstance(r, str) for r in resources)):
            here("a suppression needs resources = [\"kind.name\", ...] (the addresses it covers)",
                 "resources" if "resources" in item else None)
            ok = False
        if not (isinstance(reason, str) and reason.strip()):
            here("a suppression needs a reason (why this finding is accepted)", "reason" if "reason" in item else None)
            ok = False
        if expires is None:
            here("a suppression needs an expiry date: expires = 2027-06-30")
            ok = False
        elif not isinstance(expires, dt.date) or isinstance(expires, dt.datetime):
            here("expires must be a TOML date such as 2027-06-30 (no quotes)", "expires")
            ok = False
        if ok:
            config.suppress.append(Suppression(code, tuple(resources), reason, expires, line, col))
    return config


def _severities(table: Any, keys: tuple[str, ...], bad: Any) -> dict[str, str]:
    if not isinstance(table, dict):
        bad(keys, f"{'.'.join(keys)} must be a table of CODE = \"error\" | \"warning\" | \"info\" | \"off\"")
        return {}
    out: dict[str, str] = {}
    for code, value in table.items():
        if value not in SEVERITIES:
            bad((*keys, code), f"severity of {code} must be one of error, warning, info, off, not {value!r}", keys)
        else:
            out[code] = value
    return out


# -- positions: tomllib has none, so scan the text for the table header and the key ----------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")


def _split(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip().strip('"').strip("'") for p in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', dotted))


def _locate(text: str, table: tuple[str, ...], key: str | None, start: int = 0) -> tuple[int, int]:
    """Line and column (1-based) of ``key`` inside ``[table]`` (or written dotted in a parent table), or of
    the table header; (0, 0) when not found."""
    current: tuple[str, ...] = ()
    header_at = (0, 0)
    for number, line in enumerate(text.splitlines(), 1):
        if number < start:
            continue
        match = _HEADER.match(line)
        if match:
            if start and number > start and match[1] == "[[":
                break  # the next array item
            current = _split(match[2])
            if current == table:
                header_at = (number, match.start(2) + 1)
            continue
        if key is None:
            continue
        stripped = line.lstrip()
        lhs = stripped.split("=", 1)[0].strip() if "=" in stripped else ""
        full = current + _split(lhs) if lhs else ()
        if lhs and full == (*table, key):
            return number, len(line) - len(stripped) + 1
    return header_at


def _array_headers(text: str, table: tuple[str, ...]) -> list[tuple[int, int]]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _HEADER.match(line)
        if match and match[1] == "[[" and _split(match[2]) == table:
            found.append((number, match.start(2) + 1))
    return found


# -- applying it -----------------------------------------------------------------------------------

def apply(found: list[Diagnostic], config: Config, environment: str, addresses: dict[str, str],
          today: dt.date | None = None, unused: bool = True) -> list[Diagnostic]:
    """``found`` with the configured severities and the suppressions applied, plus the configuration's own
    problems and FD502 (expired) / FD503 (unused) suppressions. ``addresses`` maps a file to the address of
    the resource it holds (base file or override). ``unused`` False: no FD503 (``found`` covers only part of
    the blueprint)."""
    today = today or dt.date.today()
    used: set[int] = set()
    out: list[Diagnostic] = list(config.problems)
    for d in found:
        wanted = config.severity_for(d.code, environment)
        if wanted == "off":
            continue
        if wanted is not None and d.code not in ("FD501",):
            d = dataclasses.replace(d, severity=Severity(wanted))
        address = addresses.get(d.file)
        hit = next((i for i, s in enumerate(config.suppress)
                    if s.covers(d.code, address) and (s.expires is None or s.expires >= today)), None)
        for i, s in enumerate(config.suppress):
            if s.covers(d.code, address):
                used.add(i)
        if hit is None:
            out.append(d)
    for i, s in enumerate(config.suppress):
        where = (str(config.file), s.line, s.column, f"/suppress/{i}")
        if s.expires is not None and s.expires < today:
            out.append(Diagnostic(*where, Severity.WARNING, "FD502", f"suppression of {s.code} for "
                                  f"{', '.join(s.resources)} expired on {s.expires.isoformat()} ({s.reason}); "
                                  "fix the finding or renew the suppression"))
        elif i not in used and unused:
            out.append(Diagnostic(*where, Severity.WARNING, "FD503", f"suppression of {s.code} for "
                                  f"{', '.join(s.resources)} matched nothing; remove it or fix its code / "
                                  "resources"))
    return out


def failed(found: list[Diagnostic], fail_on: str) -> bool:
    return any(d.is_error or (fail_on == "warning" and d.severity is Severity.WARNING) for d in found)
