"""What each diagnostic code means: rule metadata, owned by whoever emits the code.

A plugin describes its own codes by answering the ``rules`` hook with :class:`Rule` records; the host's own
codes (FD1xx-FD9xx) are catalogued here. Codes are opaque strings to the host: it only collects, looks up,
renders (``docs/rules.md``, ``facets-dynamo explain``) and hands them to SARIF. Nothing here imports a
plugin or knows what a code of a plugin checks.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .diagnostics import Severity
from .rule import HOST, Rule

if TYPE_CHECKING:
    from .host import Host

CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]*[0-9]{3}$")


_E, _W = Severity.ERROR, Severity.WARNING


def _host(code: str, title: str, summary: str, why: str = "", bad: str = "", good: str = "",
          severity: Severity = _E) -> Rule:
    return Rule(code, title, summary, why, bad, good, severity, plugin=HOST)


# The host's own codes. tests/ci/test_rules.py fails when the code base can emit a code with no entry here
# or in a plugin's answer to the ``rules`` hook.
HOST_RULES: tuple[Rule, ...] = (
    _host("FD101", "unreadable file", "A path is not a readable regular file: missing, a directory named "
          "*.json, a FIFO, socket or device, a dangling symbolic link or a link loop (exit 2).",
          "Such a path would hang or crash a reader; it is refused before being opened for reading."),
    _host("FD102", "file too large", "A resource file is over 4 MiB; it is refused by its size, never read (exit 2).",
          "A spec is a few kilobytes; a huge file is a mistake or an attack on the reader."),
    _host("FD103", "empty file", "The file is empty or only whitespace.", "An empty file is not a JSON document.",
          "", '{"kind": "dynamodb", "flavor": "default", "version": "0.2", "spec": {...}}'),
    _host("FD104", "byte order mark", "The file starts with a UTF-8 byte order mark.",
          "RFC 8259 forbids a BOM in JSON texts; tools disagree on how to read one."),
    _host("FD105", "invalid UTF-8", "The file is not valid UTF-8; the position is that of the first bad byte.",
          "JSON is UTF-8; a stray Latin-1 byte would end up in a table name or tag."),
    _host("FD106", "nesting too deep", "The document nests deeper than 64 levels.",
          "Counted before parsing, so a hostile document cannot exhaust the stack."),
    _host("FD107", "number not representable", "NaN, Infinity, a number that overflows to infinity, or one with "
          "too many digits.", "JSON has no NaN or Infinity; Terraform and DynamoDB would reject them.",
          '{"read_capacity": NaN}', '{"read_capacity": 5}'),
    _host("FD108", "duplicate key", "An object has the same key twice; reported at the second one.",
          "Parsers disagree on which value wins; facets-dynamo never silently takes the last.",
          '{"hash_key": "id", "hash_key": "pk"}', '{"hash_key": "pk"}'),
    _host("FD109", "YAML file", "A .yaml / .yml file was given; YAML is not supported and is never parsed (exit 2).",
          "Resource specs are JSON; never parsing YAML also makes YAML bombs harmless."),
    _host("FD110", "malformed JSON", "The file is not valid JSON: truncated, a trailing comma, a comment, single "
          "quotes, a raw newline in a string, text after the document. The message names the JSON path being "
          "read and gives a hint.", "", '{"spec": {"hash_key": "id",}}', '{"spec": {"hash_key": "id"}}'),
    _host("FD111", "not an object", "The top level of a resource file is not a JSON object.", "",
          '["dynamodb"]', '{"kind": "dynamodb", ...}'),
    _host("FD112", "lone surrogate", "A string holds a lone UTF-16 surrogate escape such as \"\\ud800\".",
          "It cannot be printed or written as UTF-8, so the document is refused."),
    _host("FD201", "bad envelope field", "kind, flavor or version is missing, empty or not a string.",
          "They choose the plugin and schema; the version is a string (\"0.2\", not 0.2).",
          '{"kind": "dynamodb", "flavor": "default", "version": 0.2}',
          '{"kind": "dynamodb", "flavor": "default", "version": "0.2"}'),
    _host("FD202", "no plugin for the flavor", "No installed plugin serves this kind/flavor/version; the "
          "message lists the available flavors.", "Install the plugin (`facets-dynamo plugins` lists what is "
          "installed) or fix the spelling."),
    _host("FD203", "unusable resource name", "The resource name (metadata.name or the file name) cannot name a "
          "stack: it must start with a letter or digit and use only letters, digits, '_', '.', '-' "
          "(at most 128 characters, no '..').", "The name becomes a folder under --out; '../', '/' or NUL "
          "would write outside it.", '{"metadata": {"name": "../etc"}}', '{"metadata": {"name": "orders"}}'),
    _host("FD300", "schema violation", "The document breaks its flavor's JSON Schema (a keyword without a more "
          "specific code)."),
    _host("FD301", "missing required field", "A field the flavor's JSON Schema requires is missing.",
          "", '{"spec": {}}', '{"spec": {"hash_key": "id", "attributes": {...}}}'),
    _host("FD302", "wrong type", "A value has the wrong JSON type for the schema (or an envelope field such as "
          "disabled, metadata, spec).", "", '{"disabled": "yes"}', '{"disabled": true}'),
    _host("FD303", "value not allowed", "A value is not one of those the schema allows (enum / const).", "",
          '{"billing_mode": "ONDEMAND"}', '{"billing_mode": "PAY_PER_REQUEST"}'),
    _host("FD304", "unknown field", "A field the schema does not know; the message lists the allowed ones.",
          "Usually a typo, which would otherwise be silently ignored.", '{"spec": {"hash_kye": "id"}}',
          '{"spec": {"hash_key": "id"}}'),
    _host("FD305", "bad format", "A string or key does not match the pattern or format the schema requires."),
    _host("FD306", "out of range", "A number, string length, list or object size is outside the schema's bounds."),
    _host("FD307", "duplicate items", "A list whose items must be unique has a duplicate."),
    _host("FD310", "unknown reference", "${kind.name.out.field} names no resource of this blueprint.",
          "The stack would read outputs of a stack that does not exist.",
          '"${dynamodb.nope.out.table_arn}"', '"${dynamodb.orders.out.table_arn}"'),
    _host("FD311", "reference to a disabled resource", "A reference points at a resource that is disabled in "
          "this environment.", "A disabled resource is not synthesized, so it has no outputs to read."),
    _host("FD312", "unknown output", "A reference names an output the target's flavor does not have; the "
          "message lists the outputs it has.", "", '"${dynamodb.orders.out.arn}"',
          '"${dynamodb.orders.out.table_arn}"'),
    _host("FD313", "self reference", "A resource references its own outputs.",
          "A stack cannot read its own state before it exists."),
    _host("FD314", "reference cycle", "References form a cycle between stacks; the message shows the cycle.",
          "Each stack would wait for the other's outputs: there is no apply order."),
    _host("FD320", "no resources", "A blueprint folder holds no <kind>/instances/<name>.json files."),
    _host("FD321", "orphan override", "An environment override file has no base resource file."),
    _host("FD322", "names differ only in case", "Two resource names differ only in letter case.",
          "Their stacks would overwrite each other on case-insensitive file systems (macOS, Windows)."),
    _host("FD323", "link leads outside the blueprint", "A blueprint file is a symbolic link to a file outside "
          "the blueprint; it is not read."),
    _host("FD324", "link to another resource file", "A blueprint file is a symbolic link to another resource "
          "file of the same blueprint.", "The same resource would exist twice under two names."),
    _host("FD401", "bad environment value", "A field of environment.json has the wrong type or value."),
    _host("FD402", "unknown environment field", "environment.json has a top-level field facets-dynamo does not "
          "know; it is ignored.", "", "", "", _W),
    _host("FD403", "bad --env name", "The --env name cannot name an environment folder (empty, a path, odd "
          "characters)."),
    _host("FD404", "environment without a folder", "The blueprint has no folder for --env; no overrides and no "
          "environment.json apply.", "Usually a misspelt environment name.", severity=_W),
    _host("FD405", "missing environment field", "A field environment.json requires (e.g. backend.bucket) is missing."),
    _host("FD406", "state key not per stack", "A state key or workspace name does not contain {stack}, so every "
          "stack would share one state.", "", '{"key": "facets/prod.tfstate"}',
          '{"key": "facets/{environment}/{stack}.tfstate"}'),
    _host("FD407", "malformed identifier", "An ARN, account id, URL or name in environment.json is malformed."),
    _host("FD408", "fields exclude each other", "Two fields of environment.json that cannot be given together."),
    _host("FD409", "tag with two values", "A tag is in both provider.default_tags and cloud_tags with different "
          "values.", "The provider's default tags and the resource's own tags would fight on every plan.",
          severity=_W),
    _host("FD410", "S3 state without locking", "An S3 backend has neither use_lockfile nor a DynamoDB lock table.",
          "Two concurrent applies could corrupt the state.", severity=_W),
    _host("FD411", "tagged workspaces with references", "HCP Terraform workspaces chosen by tags cannot serve "
          "cross-stack references; name workspaces with a {stack} placeholder."),
    _host("FD412", "unknown backend or provider field", "A field inside backend or provider of environment.json "
          "is unknown."),
    _host("FD501", "bad configuration", "The facets-dynamo configuration (pyproject.toml [tool.facets-dynamo] or "
          ".facets-dynamo.toml) has an unknown key, a bad severity, a suppression without code, resources, "
          "reason or a valid expiry date; reported at its line and column in the TOML file.", "",
          '[tool.facets-dynamo.severity]\nDDB301 = "fatal"', '[tool.facets-dynamo.severity]\nDDB301 = "error"'),
    _host("FD502", "expired suppression", "A suppression's expiry date has passed; it no longer hides anything.",
          "Suppressions are debts with a due date: fix the finding or renew the suppression with a reason.",
          severity=_W),
    _host("FD503", "unused suppression", "A suppression matched no finding in this run.",
          "The problem was fixed (remove the suppression) or the code / resources are misspelt.", severity=_W),
    _host("FD601", "flavor cannot adopt", "import/drift: the flavor's plugin has no adopt (or fetch_live) hook.",
          "Only its plugin knows how to read the cloud resource; give saved outputs, or use another flavor."),
    _host("FD602", "cloud not reachable", "import/drift --live: the cloud could not be asked (credentials, "
          "network, throttling); the message says which.", "Nothing can be compared or written without it."),
    _host("FD603", "no cloud name", "drift: the resource's flavor names no cloud resource (its describe hook "
          "gives no name), so there is nothing to compare with."),
    _host("FD604", "no such cloud resource", "import --live: the named resource does not exist in the "
          "environment's region.", "Check the name and the environment (its region)."),
    _host("FD960", "drifted", "drift: the live resource differs from the blueprint; the message says what "
          "applying the blueprint would do.", "Someone changed it by hand, or the blueprint changed and was not "
          "applied.", severity=_W),
    _host("FD961", "missing in the cloud", "drift: the blueprint's resource does not exist live; applying "
          "creates it.", "It was deleted by hand, or never applied.", severity=_W),
    _host("FD800", "engine failure", "The CDK engine (Node) failed during synthesis; nothing was written."),
    _host("FD900", "plugin failure", "A plugin failed to import or register, raised in a hook, did not return "
          "within FACETS_DYNAMO_HOOK_TIMEOUT, or shipped an unusable schema; the message names the plugin."),
    _host("FD901", "bad plugin answer", "A plugin's validate hook returned something that is not diagnostics."),
    _host("FD950", "change replaces a resource", "diff: applying the change would replace the live resource "
          "(as its flavor's plugin plans it).", "Replacing a stateful resource loses its data.", severity=_W),
    _host("FD951", "change destroys a resource", "diff: the resource is removed, disabled or becomes provided, "
          "so its stack is no longer synthesized and Terraform destroys it.", "Its data is lost.", severity=_W),
)


@dataclass
class Rulebook:
    """Every known rule by code: the host's and every plugin's (``rules`` hook), plus any conflicts."""

    rules: dict[str, Rule]
    problems: list[str] = field(default_factory=list)

    def get(self, code: str) -> Rule | None:
        return self.rules.get(code)

    def nearest(self, code: str, n: int = 3) -> list[str]:
        import difflib

        return difflib.get_close_matches(code.upper(), list(self.rules), n=n, cutoff=0.5)

    def markdown(self) -> str:
        """The whole of ``docs/rules.md``."""
        by_owner: dict[str, list[Rule]] = {}
        for rule in sorted(self.rules.values(), key=lambda r: (r.plugin != HOST, r.plugin, r.code)):
            by_owner.setdefault(rule.plugin, []).append(rule)
        out = ["# Diagnostic codes", "",
               "Generated from the rules' own metadata by `facets-dynamo rules --markdown > docs/rules.md`",
               "(`tests/ci/test_rules.py` fails when this file is out of date). `facets-dynamo explain CODE`",
               "prints one section. Severities are defaults; a configuration file can change them per code and",
               "per environment, turn a check off (severity \"off\") and turn on opt-in checks (README, \"Into CI\").",
               ""]
        for owner, rules in by_owner.items():
            out += [f"## {'facets-dynamo (the host)' if owner == HOST else f'plugin `{owner}`'}", ""]
            out += [f"- [{r.code}](#{r.anchor}) {r.title}" for r in rules] + [""]
            for r in rules:
                out.append(r.markdown())
        return "\n".join(out).rstrip("\n") + "\n"


def collect(host: Host | None = None) -> Rulebook:
    """The host's catalogue plus what every plugin answers to ``rules``; a plugin failing there, answering
    something that is not a :class:`Rule`, or claiming a code someone else already documents is listed in
    ``problems`` (its other rules still count)."""
    from .host import PluginFailure, default_host

    host = host or default_host()
    book = Rulebook({r.code: r for r in HOST_RULES})
    failures: list[PluginFailure] = []
    for plugin, answer in host.call_each("rules", failures=failures):
        items = answer if isinstance(answer, Iterable) else [answer]
        for item in items:
            if not isinstance(item, Rule):
                book.problems.append(f"plugin {plugin!r} answered rules() with {type(item).__name__}, not Rule")
                continue
            if not CODE_RE.match(item.code):
                book.problems.append(f"plugin {plugin!r}: {item.code!r} is not a code (LETTERS + 3 digits)")
                continue
            if item.code in book.rules:
                book.problems.append(f"plugin {plugin!r} documents {item.code}, already documented by "
                                     f"{book.rules[item.code].plugin!r}")
                continue
            book.rules[item.code] = dataclasses.replace(item, plugin=plugin)
    book.problems.extend(str(f) for f in failures)
    return book
