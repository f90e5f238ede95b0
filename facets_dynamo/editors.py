"""Editor set-up without a language server: VS Code's ``json.schemas`` mapping blueprint files to the schemas.

``facets-dynamo schema --vscode`` copies each installed flavor's JSON Schema (and ``environment.json``'s) into
``.facets-dynamo/schemas/`` of the workspace and maps, in ``.vscode/settings.json``:

- ``<blueprint>/<kind>/instances/*.json`` (base documents) to the schema of the only flavor of that kind
  (a kind served by several flavors is left to the document's own ``$schema``, which VS Code and JetBrains
  both honour);
- ``<blueprint>/environment.json`` and ``<blueprint>/*/environment.json`` to the environment schema.

Override files (``<blueprint>/<env>/<kind>/instances/*.json``) are partial documents and are not mapped: a
schema would flag every field they leave out. Other settings, and ``json.schemas`` entries that are not ours,
are kept; a settings file that is not plain JSON (comments) is refused rather than rewritten.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any

from .files import write_atomically

OUR_FOLDER = ".facets-dynamo/schemas"


def write_vscode_settings(workspace: Path, blueprint: Path) -> list[str]:
    from facets_dynamo_schemas import environment_schema_file

    from .host import default_host

    bp = PurePosixPath(Path(os.path.relpath(blueprint.resolve(), workspace.resolve())).as_posix())
    if str(bp).startswith(".."):
        raise ValueError(f"--blueprint {blueprint} is outside the workspace {workspace}")
    settings_file = workspace / ".vscode" / "settings.json"
    settings: dict[str, Any] = {}
    if settings_file.exists():
        try:
            settings = json.loads(settings_file.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{settings_file} is not plain JSON ({exc}); add the json.schemas entries by hand "
                             "(README, Editors)") from exc
        if not isinstance(settings, dict):
            raise ValueError(f"{settings_file} does not hold a JSON object")
    folder = workspace / OUR_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    prefix = "" if str(bp) == "." else f"{bp}/"
    entries: list[dict[str, Any]] = []
    flavors = list(default_host().flavors.values())
    by_kind: dict[str, int] = {}
    for flavor in flavors:
        by_kind[flavor.kind] = by_kind.get(flavor.kind, 0) + 1
    written = []
    for flavor in sorted(flavors, key=lambda f: str(f.key)):
        name = f"{flavor.kind}-{flavor.flavor}-{flavor.version}.json"
        write_atomically(folder / name, json.dumps(flavor.schema, indent=2) + "\n")
        written.append(f"wrote {OUR_FOLDER}/{name}")
        if by_kind[flavor.kind] == 1:
            entries.append({"fileMatch": [f"{prefix}{flavor.kind}/instances/*.json"], "url": f"./{OUR_FOLDER}/{name}"})
    write_atomically(folder / "environment.json", environment_schema_file().read_text(encoding="utf-8"))
    written.append(f"wrote {OUR_FOLDER}/environment.json")
    entries.append({"fileMatch": [f"{prefix}environment.json", f"{prefix}*/environment.json"],
                    "url": f"./{OUR_FOLDER}/environment.json"})
    kept = [e for e in settings.get("json.schemas", []) if not str(e.get("url", "")).startswith(f"./{OUR_FOLDER}/")]
    settings["json.schemas"] = kept + entries
    settings_file.parent.mkdir(exist_ok=True)
    # the user's own settings file: replaced whole or not at all (its mode kept, a symlink followed)
    write_atomically(settings_file, json.dumps(settings, indent=2) + "\n")
    written.append(f"wrote .vscode/settings.json ({len(entries)} json.schemas entries of facets-dynamo)")
    return written
