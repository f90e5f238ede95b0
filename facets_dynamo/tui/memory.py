"""Keep Python's full garbage collections off the keystroke path.

A blueprint of hundreds of resources leaves hundreds of thousands of long-lived objects (parsed documents,
checked workspaces, the engine's proxies). CPython's oldest-generation collection walks all of them, and at
1,000 resources each one took 140-190 ms on the UI thread, fourteen times in a minute of typing: the
slowest key echoes were exactly those. After a whole-blueprint check the app calls :func:`settle` once:
garbage is collected there (a pause where the user already waits for the check) and what survives is
frozen, so later collections walk only what typing creates.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect everything once, then exempt the survivors from future collections."""
    gc.unfreeze()  # the previous check's objects may be garbage now: let this collection see them
    gc.collect()
    gc.freeze()
