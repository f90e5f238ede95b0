"""The console-script entry point: settings checked first, every failure a message and an exit code, signals."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import Any

import click

from .base import DEBUG_ENV, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, cli


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: turns every failure into a message and an exit code.

    SIGTERM unwinds like Ctrl-C (so temp folders and the previous output are cleaned up or kept, and Node is
    stopped) and exits 143; SIGINT exits 130. Once the command is over, a signal is only recorded: Python's
    ``atexit`` hooks (jsii's goodbye to Node) must not be cut into, which printed tracebacks after "wrote".
    """
    for stream in (sys.stdout, sys.stderr):  # a file name that is not valid UTF-8 must not crash a print
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    received: list[int] = []

    def interrupt(signum: int, _frame: object) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    def record(signum: int, _frame: object) -> None:
        received.append(signum)

    previous: dict[int, Any] = {}
    with contextlib.suppress(ValueError):  # not the main thread (embedded use): keep the caller's handlers
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, interrupt)
    try:
        code = _run(argv)
    except KeyboardInterrupt:  # a second signal while the first was being handled
        code = EXIT_INTERRUPTED
    if argv is not None:  # called in-process (tests, embedding): leave the caller's process as it was
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sys.exit(code)
    for signum in previous:
        signal.signal(signum, record)
    if "jsii._runtime" in sys.modules:  # Node was started: stop it here, not in an atexit hook
        from ..engine import stop_node

        stop_node()
    if received:
        if code != EXIT_INTERRUPTED:
            click.echo("interrupted (the command had finished; its output is complete)", err=True)
        code = 128 + received[0]
    sys.stdout.flush()
    # The interpreter's shutdown puts Python-set handlers back to the default action, and a signal then kills
    # the process, in whichever thread it lands, with no word and no exit code of ours. Ignored signals are
    # left alone by that shutdown: from here on a signal changes nothing (the exit code already says it all).
    for signum in previous:
        signal.signal(signum, signal.SIG_IGN)
    sys.exit(code)


def debug_enabled() -> bool:
    """``FACETS_DYNAMO_DEBUG``: 1/true/yes/on show tracebacks; unset, empty, 0/false/no/off do not."""
    from ..host import SettingError

    raw = os.environ.get(DEBUG_ENV)
    value = (raw or "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise SettingError(f"{DEBUG_ENV}={raw[:80]!r}: give 1 (show tracebacks) or 0")  # type: ignore[index]


def check_settings() -> None:
    """Every environment variable of facets-dynamo, checked before any work starts: an odd value is a usage
    error naming the variable (exit 2), never a surprise halfway through."""
    from ..engine import ENGINE_ENV, ENGINES
    from ..host import BLOCK_ENV, SettingError, hook_timeout_from_env

    hook_timeout_from_env()
    debug_enabled()
    if ENGINE_ENV in os.environ:
        raw = os.environ[ENGINE_ENV]
        if raw.strip() not in ENGINES:
            raise SettingError(f"{ENGINE_ENV}={raw[:80]!r}: choose one of {', '.join(ENGINES)}, or unset it to use "
                               "the first one installed")
    raw = os.environ.get(BLOCK_ENV)
    if raw:  # unset or empty: nothing is blocked
        names = [n.strip() for n in raw.split(",")]
        if any(not n for n in names):
            raise SettingError(f"{BLOCK_ENV}={raw[:80]!r}: an empty plugin name; give names separated by commas")
        from importlib.metadata import entry_points

        from .. import hookspecs

        known = sorted({ep.name for ep in entry_points(group=hookspecs.PROJECT)})
        unknown = [n for n in names if n != "*" and n not in known]
        if unknown:
            raise SettingError(f"{BLOCK_ENV} names {', '.join(repr(n[:80]) for n in unknown)}, which is no installed "
                               f"plugin (installed: {', '.join(known) or 'none'}; '*' blocks all)")


def _run(argv: list[str] | None) -> int:
    try:
        return _dispatch(argv)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM while the modules below were being imported
        click.echo("interrupted; previous output left as it was", err=True)
        return EXIT_INTERRUPTED


def _dispatch(argv: list[str] | None) -> int:
    from ..host import SettingError

    try:
        check_settings()  # an odd setting is a usage error before any work starts
        result = cli.main(args=argv, prog_name="facets-dynamo", standalone_mode=False)
        return result if isinstance(result, int) else EXIT_OK
    except SettingError as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("interrupted; previous output left as it was", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if exc.exit_code == 2 else exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted; previous output left as it was", err=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_USAGE)
    except Exception as exc:
        if debug_enabled():
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc} (set FACETS_DYNAMO_DEBUG=1 for details)",
                   err=True)
        return EXIT_USAGE
