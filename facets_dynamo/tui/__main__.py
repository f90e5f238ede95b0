"""``python -m facets_dynamo.tui PATH [--env ENV]``: the command textual-serve runs for ``edit --serve``."""

from __future__ import annotations

import argparse
import sys

from ..environment import DEFAULT_ENVIRONMENT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="facets-dynamo-edit")
    parser.add_argument("path")
    parser.add_argument("--env", default=DEFAULT_ENVIRONMENT)
    args = parser.parse_args(argv)
    from .app import EditorApp
    from .session import SessionError

    try:
        app = EditorApp(args.path, args.env)
    except SessionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
