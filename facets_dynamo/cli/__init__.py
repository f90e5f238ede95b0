"""The ``facets-dynamo`` command line, for pipelines first: stable exit codes, machine formats.

Exit codes: 0 valid / written, 1 the input has errors (nothing written), 2 usage error or unreadable
input, 3 a change would replace or destroy a resource (``diff``), 4 drift found (``drift``), 130 interrupted.
No traceback ever reaches the user unless ``FACETS_DYNAMO_DEBUG=1``.

One module per group of commands (``checking``, ``hooks``, ``reference``, ``editing``, ``adopting``); they
hang on the group in ``base`` and share ``loading`` (workspace, configuration, checks) and ``reporting``
(formats, exit codes). ``main`` is the console script.
"""

from __future__ import annotations

from . import adopting, checking, editing, hooks, reference  # noqa: F401  (each registers its commands)
from .base import UNREADABLE, cli
from .main import main

__all__ = ["UNREADABLE", "cli", "main"]
