"""Keep Python's full garbage collections off the keystroke path.

A blueprint of hundreds of resources leaves hundreds of thousands of long-lived objects (parsed documents,
checked workspaces, thousands of diagnostics, the engine's proxies). CPython's oldest-generation collection
walks all of them: at 1,000 resources each one took 140-190 ms on the UI thread, fourteen times in a minute
of typing, and the slowest key echoes were exactly those. So, while the editor runs:

- after a whole-blueprint check, :func:`settle` collects once (a pause where the user already waits for the
  check) and freezes what survives, so later collections skip it;
- full collections do not start by themselves (:class:`QuietCollections`): young-generation collections
  (a few milliseconds) still run as usual, and the full one runs when typing has paused.
"""

from __future__ import annotations

import gc
import time

NEVER = 1_000_000  # a threshold for the oldest generation that automatic collection never reaches


def settle() -> None:
    """Collect everything once, then exempt the survivors from future collections."""
    gc.unfreeze()  # the previous check's objects may be garbage now: let this collection see them
    gc.collect()
    gc.freeze()


class QuietCollections:
    """While active, the full collection waits for a pause: :meth:`edited` on every edit, :meth:`tick` from a
    timer; :meth:`close` puts the interpreter's thresholds back (tests run many editors in one process)."""

    def __init__(self, pause: float = 2.0) -> None:
        self.pause = pause
        self._previous = gc.get_threshold()
        young, middle, _ = self._previous
        gc.set_threshold(young, middle, NEVER)
        self._last_edit = time.monotonic()
        self._pending = False

    def edited(self) -> None:
        self._last_edit = time.monotonic()
        self._pending = True

    def tick(self) -> None:
        if self._pending and time.monotonic() - self._last_edit >= self.pause:
            self._pending = False
            gc.collect()

    def close(self) -> None:
        gc.set_threshold(*self._previous)
