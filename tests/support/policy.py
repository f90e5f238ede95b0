"""For tests about something else than best practice: the policy pack (DDB3xx, on by default as warnings; its
own tests are in tests/ci) turned off, through the configuration as a user would."""

from __future__ import annotations

from pathlib import Path

from facets_dynamo.config import Config

NO_POLICY = Config(severity={"DDB3*": "off"})  # for validate_workspace(..., config=NO_POLICY)


def policy_off(folder: Path) -> Path:
    """Write ``folder/.facets-dynamo.toml`` turning the policy pack off (the CLI and fd.validate find it)."""
    path = folder / ".facets-dynamo.toml"
    path.write_text('severity = {"DDB3*" = "off"}\n', encoding="utf-8")
    return path
