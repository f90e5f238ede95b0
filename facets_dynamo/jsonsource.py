"""Read JSON resource files strictly, keeping where every value came from.

Python's ``json`` module is lenient where a spec file must not be (duplicate keys silently keep the last
value, ``NaN`` is accepted) and says nothing about positions after a successful parse. This module wraps
it: ``json`` does the parsing, a token scan maps each JSON pointer to its line and column, and the few
checks no library does (BOM, non-finite numbers, duplicate keys, nesting depth) are done here.
"""

from __future__ import annotations

import bisect
import errno
import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Severity

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64

# Matches a JSON string (to skip it) or one of the tokens we look for outside strings.
_STRING = r'"(?:[^"\\]|\\.)*"'
_NON_FINITE = re.compile(_STRING + r"|(-?Infinity|NaN|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)")
_BRACKETS = re.compile(_STRING + r"|([\[\]{}])")


@dataclass(frozen=True)
class Location:
    file: str
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class SourceMap:
    """JSON pointer -> location of the value (and of its key, for object members)."""

    values: dict[str, Location] = field(default_factory=dict)
    keys: dict[str, Location] = field(default_factory=dict)
    file: str = ""

    def locate(self, pointer: str, *, key: bool = False) -> Location:
        """Where ``pointer`` is, or its nearest ancestor that exists (a missing member is reported at its
        parent object)."""
        probe = pointer
        while True:
            if key and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return Location(self.file, 1, 1)
            probe = probe.rsplit("/", 1)[0]

    def overlay(self, other: SourceMap) -> SourceMap:
        """Positions of ``other`` win where both know a pointer (used for environment overrides)."""
        return SourceMap({**self.values, **other.values}, {**self.keys, **other.keys}, self.file)


@dataclass
class Document:
    """A parsed JSON file: its data and where each value stands in the text."""

    file: str
    text: str
    data: Any
    source: SourceMap

    def diagnostic(self, pointer: str, code: str, message: str, severity: Severity = Severity.ERROR) -> Diagnostic:
        """A problem at ``pointer`` of this document, positioned at its line and column."""
        loc = self.source.locate(pointer)
        return Diagnostic(self.file, loc.line, loc.column, pointer, severity, code, message)


def pointer_join(base: str, *parts: object) -> str:
    for part in parts:
        base += "/" + str(part).replace("~", "~0").replace("/", "~1")
    return base


# A line ends at CRLF, LF or a lone CR (RFC 8259 allows all three as white space; editors show each as a break).
_LINE_BREAK = re.compile(r"\r\n?|\n")


def line_starts(text: str) -> list[int]:
    """Offsets where each line begins, for CR, LF, CRLF and mixed endings alike."""
    return [0, *(m.end() for m in _LINE_BREAK.finditer(text))]


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``: the one place that turns offsets into positions."""
    starts = line_starts(text[:offset])
    if offset > 0 and text[offset - 1] == "\r" and text[offset : offset + 1] == "\n":
        starts.pop()  # between the CR and the LF of one CRLF: still the line the CR ends
    return len(starts), offset - starts[-1] + 1


def _diag(file: str, line: int, col: int, code: str, message: str, path: str = "") -> Diagnostic:
    return Diagnostic(file, line, col, path, Severity.ERROR, code, message)


def read_document(path: Path, display: str | None = None) -> tuple[Document | None, list[Diagnostic]]:
    """Read and parse one JSON file. Never raises for bad content or I/O errors: returns diagnostics."""
    name = display or str(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        return None, [_diag(name, 0, 0, "FD109", "YAML is not supported (it is not parsed at all): resource "
                            "files must be JSON")]
    try:
        if path.is_dir():
            return None, [_diag(name, 0, 0, "FD101", "is a directory, expected a JSON file")]
        if path.is_symlink() and not path.exists():
            try:
                os.stat(path)
                why = "broken symbolic link"
            except OSError as exc:
                why = "symbolic link loop" if exc.errno == errno.ELOOP else "broken symbolic link"
            return None, [_diag(name, 0, 0, "FD101", f"{why} (to {os.readlink(path)})")]
        if path.is_socket():
            return None, [_diag(name, 0, 0, "FD101", "is a socket, expected a JSON file")]
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses anything not a file.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            mode = os.fstat(fh.fileno()).st_mode
            if not stat.S_ISREG(mode):
                what = "a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or \
                    stat.S_ISBLK(mode) else "not a regular file"
                return None, [_diag(name, 0, 0, "FD101", f"is {what}, expected a JSON file")]
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_BYTES:
                return None, [
                    _diag(name, 0, 0, "FD102", f"file is {size:,} bytes; resource files are limited to "
                          f"{MAX_BYTES:,} bytes")
                ]
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        return None, [_diag(name, 0, 0, "FD101", f"cannot read file: {exc.strerror or exc}")]
    if len(raw) > MAX_BYTES:
        return None, [_diag(name, 0, 0, "FD102", f"file is larger than {MAX_BYTES:,} bytes")]
    return parse_bytes(raw, name)


def parse_bytes(raw: bytes, file: str) -> tuple[Document | None, list[Diagnostic]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, [_diag(file, 1, 1, "FD104", "file starts with a UTF-8 byte order mark; save it as "
                            "UTF-8 without BOM (RFC 8259 forbids it in JSON)")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        line, col = _position(before, len(before))
        return None, [_diag(file, line, col, "FD105", f"invalid UTF-8 (byte 0x{raw[exc.start]:02x} at "
                            f"offset {exc.start}); JSON files must be UTF-8")]
    return parse_text(text, file)


def parse_text(text: str, file: str) -> tuple[Document | None, list[Diagnostic]]:
    """Parse JSON text; the diagnostics say why it is not a usable document."""
    if not text.strip():
        return None, [_diag(file, 1, 1, "FD103", "file is empty; expected a JSON object")]
    deep = _too_deep(text)
    if deep is not None:
        line, col = _position(text, deep)
        return None, [_diag(file, line, col, "FD106", f"nesting deeper than {MAX_DEPTH} levels")]
    # id(obj) -> (obj, repeated keys); holding obj keeps its id from being reused by a later object when a
    # duplicate key throws the first value away.
    duplicates: dict[int, tuple[dict[str, Any], list[str]]] = {}

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for key, value in items:
            if key in obj:
                duplicates.setdefault(id(obj), (obj, []))[1].append(key)
            obj[key] = value
        return obj

    non_finite: list[str] = []

    def constant(name: str) -> None:
        non_finite.append(name)
        return None

    def number(literal: str) -> float | None:
        value = float(literal)
        if math.isinf(value):  # 1e400 overflows to Infinity, which no JSON writer can emit again
            non_finite.append(literal)
            return None
        return value

    def integer(literal: str) -> int | None:
        try:
            return int(literal)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            non_finite.append(literal)
            return None

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_float=number,
                          parse_int=integer)
    except json.JSONDecodeError as exc:
        line, col = _position(text, exc.pos)  # json counts only LF: a CR-only file would be all on line 1
        return None, [_diag(file, line, col, "FD110", _explain(exc, text), _pointer_at(text, exc.pos))]
    except RecursionError:  # pragma: no cover - _too_deep guards this
        return None, [_diag(file, 1, 1, "FD106", f"nesting deeper than {MAX_DEPTH} levels")]
    source = _source_map(text, file)
    problems: list[Diagnostic] = []
    if non_finite:
        at = {(loc.line, loc.column): pointer for pointer, loc in source.values.items()}
        bad = set(non_finite)
        for match in _NON_FINITE.finditer(text):
            token = match.group(1)
            if not token or token not in bad:
                continue
            line, col = _position(text, match.start(1))
            if token[-1].isdigit():
                message = (f"number {_short_number(token)} is too large (it would become Infinity or cannot be "
                           "read); use a string")
            else:
                message = f"{token} is not valid JSON; use a finite number or a string"
            problems.append(_diag(file, line, col, "FD107", message, at.get((line, col), "")))
    if duplicates:
        problems.extend(_duplicate_diagnostics(data, duplicates, source))
    if _SURROGATE_ESCAPE.search(text):
        broken = _surrogate_diagnostics(data, source)
        if broken:  # like invalid UTF-8: the document cannot be used (nor printed, nor written) at all
            return None, problems + broken
    return Document(file, text, data, source), problems


# A \uD800-\uDFFF escape; only when one occurs do we look for strings that are not valid Unicode.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _surrogate_diagnostics(data: Any, source: SourceMap) -> list[Diagnostic]:
    """Strings holding a lone UTF-16 surrogate (``"\ud800"``): JSON lets them through, but no UTF-8 file,
    terminal or Terraform can carry them, so they are reported here rather than crash a writer later."""
    found: list[Diagnostic] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, value = stack.pop()
        items: list[tuple[str, Any]] = []
        if isinstance(value, dict):
            for key, item in value.items():
                where = pointer_join(pointer, key)
                if not _encodable(key):
                    loc = source.locate(where, key=True)
                    found.append(_diag(source.file, loc.line, loc.column, "FD112", "key contains a lone "
                                       "surrogate escape (\\uD800-\\uDFFF without its pair): not valid "
                                       "Unicode", _printable(where)))
                items.append((where, item))
        elif isinstance(value, list):
            items = [(pointer_join(pointer, i), v) for i, v in enumerate(value)]
        elif isinstance(value, str) and not _encodable(value):
            loc = source.locate(pointer)
            found.append(_diag(source.file, loc.line, loc.column, "FD112", "string contains a lone surrogate "
                               "escape (\\uD800-\\uDFFF without its pair): not valid Unicode", _printable(pointer)))
        stack.extend(items)
    return found


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _short_number(token: str) -> str:
    return token if len(token) <= 24 else f"{token[:12]}...{token[-6:]} ({len(token)} characters)"


def _too_deep(text: str) -> int | None:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for match in _BRACKETS.finditer(text):
        bracket = match.group(1)
        if bracket in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                return match.start(1)
        elif bracket:
            depth -= 1
    return None


def _pointer_at(text: str, pos: int) -> str:
    """The JSON pointer of the value being read at ``pos`` in text that stops parsing there.

    A token scan of the valid prefix (the parser stops at ``pos``, so everything before it is well formed):
    each open container remembers the key or index it was entered through; the innermost one adds the key
    (after its ``:``) or index the error sits in. At a place where a key is expected, the object's own path.
    """
    stack: list[list[Any]] = []  # [kind, step that led into it, current key or index, key pending]
    key: str | int | None = None
    for match in _TOKEN.finditer(text, 0, pos):
        token = match.group(0)
        top = stack[-1] if stack else None
        if token in "{[":
            stack.append(["{" if token == "{" else "[", _current(top), None if token == "{" else 0, False])
        elif token in "}]":
            if stack:
                stack.pop()
        elif token == ":" and top is not None and top[0] == "{":
            top[2], top[3] = key, False
        elif token == "," and top is not None:
            top[2] = top[2] + 1 if top[0] == "[" else None
        elif token.startswith('"') and top is not None and top[0] == "{" and top[2] is None:
            try:
                key = json.loads(token)
            except ValueError:
                key = token.strip('"')
    steps = [entry[1] for entry in stack[1:]]
    if stack and stack[-1][2] is not None:
        steps.append(stack[-1][2])
    return pointer_join("", *steps)


def _current(container: list[Any] | None) -> str | int | None:
    return None if container is None else container[2]


def _explain(exc: json.JSONDecodeError, text: str) -> str:
    msg = exc.msg
    before = text[: exc.pos].rstrip()
    found = text[exc.pos:].lstrip()[:1]
    if (msg.startswith(("Expecting property name", "Expecting value")) and before.endswith(",")
            and found in ("}", "]")):
        return f"{msg}: trailing comma before this point (JSON does not allow one)"
    if msg.startswith("Expecting") and exc.pos >= len(text.rstrip()):
        return f"unexpected end of file ({msg[0].lower()}{msg[1:]}): the JSON document is truncated"
    if msg.startswith("Expecting") and found.isprintable() and found:
        comma = msg.startswith("Expecting ',' delimiter")
        hint = (" (JSON strings and keys take double quotes)" if found == "'" else
                " (a closing bracket does not match its opening one)" if comma and found in "}]" else
                " (is a comma missing before it?)" if comma else "")
        return f"{msg}, found {found!r}{hint}"
    if msg == "Extra data":
        return (f"text after the end of the JSON document (found {found!r}): a resource file holds exactly one "
                "JSON object")
    if msg.startswith("Invalid control character"):  # Python's message ends "at" and names no character
        char = text[exc.pos] if exc.pos < len(text) else ""
        escape = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(char, f"\\u{ord(char):04x}" if char else "")
        return (f"invalid control character {char!r} (U+{ord(char):04X}) inside a string: write it escaped"
                f" ({escape})" if char else "invalid control character inside a string")
    if msg.startswith("Unterminated string"):
        return f"{msg}: the JSON document is truncated or a quote is missing"
    return msg


# One JSON token of an already parsed (so valid) document: a string, a punctuation mark, or a bare literal.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def _source_map(text: str, file: str) -> SourceMap:
    """Where each value (and object key) starts, by RFC 6901 pointer.

    A scan of the tokens rather than ``json_source_map``: that library builds pointers from the raw key
    text, so a key holding ``/``, ``~`` or a ``\\u`` escape (``"team/owner"`` tags are common) got a pointer
    no diagnostic uses and its position was lost; it also parsed every document a second time.
    """
    starts = line_starts(text)

    def where(pos: int) -> Location:
        line = bisect.bisect_right(starts, pos)
        return Location(file, line, pos - starts[line - 1] + 1)

    values: dict[str, Location] = {}
    keys: dict[str, Location] = {}
    # open containers: [pointer, next array index (-1 for objects), pending key, pending key position]
    stack: list[list[Any]] = []
    expect_key = False
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("]", "}"):
            stack.pop()
            expect_key = False
            continue
        if token == ",":
            expect_key = bool(stack) and stack[-1][1] < 0
            continue
        if token == ":":
            continue
        if expect_key:
            frame = stack[-1]
            frame[2] = json.loads(token) if "\\" in token else token[1:-1]
            frame[3] = match.start()
            expect_key = False
            continue
        if not stack:
            pointer = ""
        elif stack[-1][1] < 0:
            frame = stack[-1]
            pointer = pointer_join(frame[0], frame[2])
            keys[pointer] = where(frame[3])
        else:
            frame = stack[-1]
            pointer = pointer_join(frame[0], frame[1])
            frame[1] += 1
        values[pointer] = where(match.start())
        if token == "{":
            stack.append([pointer, -1, None, 0])
            expect_key = True
        elif token == "[":
            stack.append([pointer, 0, None, 0])
    return SourceMap(values, keys, file)


def _duplicate_diagnostics(data: Any, duplicates: dict[int, tuple[dict[str, Any], list[str]]],
                           source: SourceMap) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, dict):
            for key in duplicates.get(id(value), (None, []))[1]:
                where = pointer_join(pointer, key)
                loc = source.locate(where, key=True)
                found.append(_diag(source.file, loc.line, loc.column, "FD108",
                                   f"duplicate key {key!r}: JSON objects must not repeat a key (the later "
                                   "value would silently win); keep one", where))
            stack.extend((pointer_join(pointer, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((pointer_join(pointer, i), v) for i, v in enumerate(value))
    return found
