"""Driving the editor under Textual's Pilot, shared by the editor tests."""

from __future__ import annotations

from typing import Any

from textual.worker import WorkerCancelled


async def settle(pilot: Any) -> None:
    """Let messages, the preview worker and its call_from_thread callback finish.

    The editor's workers are exclusive: a newer check or preview cancels the one running, and waiting for a
    cancelled worker raises. That is the app working as meant (seen under load, when a whole-blueprint check
    was still running as the next edit came), so the wait goes on for the workers that replaced it."""
    app = pilot.app
    settled = 0
    for _ in range(20):
        await pilot.pause()
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            settled = 0
            continue
        settled += 1
        if settled == 3:
            break
    await pilot.pause()
