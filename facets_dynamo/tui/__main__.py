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


def _exit_with_parent(app: EditorApp, poll: float = 1.0, grace: float = 5.0) -> None:
    """End the app when the process that started it (the textual-serve server) is gone.

    A server killed outright (SIGKILL, OOM) leaves its apps running with nobody to talk to (seen here:
    one spun at 85% CPU); Ctrl+C and a closed browser tab end them already. The server runs this command
    through ``exec`` so that the parent really is the server.

    The polite request to exit is made from a thread of its own: ``call_from_thread`` waits for the app's
    loop to run it, and an app whose loop no longer turns made this watcher wait forever (seen: an orphan
    spinning at 50% CPU for over an hour). After ``grace`` seconds the process ends regardless.
    """
    parent = os.getppid()

    def ask_to_exit() -> None:
        with contextlib.suppress(Exception):
            app.call_from_thread(app.exit)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        threading.Thread(target=ask_to_exit, name="facets-exit-request", daemon=True).start()
        time.sleep(grace)
        os._exit(1)  # the app did not stop by itself: nobody can see it any more

    threading.Thread(target=watch, name="facets-parent-watch", daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
