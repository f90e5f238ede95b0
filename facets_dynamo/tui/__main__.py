"""``python -m facets_dynamo.tui PATH [--env ENV]``: the command textual-serve runs for ``edit --serve``."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import EditorApp


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="facets-dynamo-edit")
    parser.add_argument("path")
    parser.add_argument("--env", default=None)
    args = parser.parse_args(argv)
    from .app import EditorApp
    from .session import SessionError

    try:
        app = EditorApp(args.path, args.env)
    except SessionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _exit_with_parent(app)
    app.run()
    return 0


def _exit_with_parent(app: EditorApp, poll: float = 1.0) -> None:
    """End the app when the process that started it (the textual-serve server) is gone.

    A server killed outright (SIGKILL, OOM) leaves its apps running with nobody to talk to (seen here:
    one spun at 85% CPU); Ctrl+C and a closed browser tab end them already. The server runs this command
    through ``exec`` so that the parent really is the server.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        with contextlib.suppress(Exception):
            app.call_from_thread(app.exit)
        time.sleep(5)
        os._exit(1)  # the app did not stop by itself: nobody can see it any more

    threading.Thread(target=watch, name="facets-parent-watch", daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
