"""Driving the editor under Textual's Pilot, shared by the editor tests."""

from __future__ import annotations

from typing import Any


async def settle(pilot: Any) -> None:
    """Let messages, the preview worker and its call_from_thread callback finish."""
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()
