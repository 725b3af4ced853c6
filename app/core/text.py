"""Text a person types, pastes or passes on the command line, made fit to keep.

Every service puts what it is given through ``clean_text`` (or ``clean_fields`` for a
draft) before checking or storing it, so one rule holds everywhere:

* NUL and the other C0 control characters (and DEL) go: they are invisible, PostgreSQL
  refuses NUL in text outright, and the rest break exports, printing and searches.
* Half of a UTF-16 surrogate pair becomes U+FFFD (�): neither database can store one,
  and a paste from another program or a command-line argument in the wrong encoding
  brings them.
* Line breaks become ``\\n``; a multi-line text keeps them and its tabs, a one-line text
  turns them into spaces.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Collection, Sequence
from typing import Any, TypeVar

# C0 controls and DEL, less tab and line feed (which multi-line texts keep).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_ONE_LINE_BREAKS = re.compile(r"[\t\n]")
# Anything any of the above would change: most text has none, and is kept as it is.
_UNCLEAN = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029\ud800-\udfff]")

T = TypeVar("T")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` without control characters or lone surrogates (see the module's rules)."""
    if _UNCLEAN.search(value) is None:
        return value
    text = _SURROGATES.sub("\ufffd", value)
    text = _LINE_BREAKS.sub("\n", text)
    text = _CONTROLS.sub("", text)
    if not multiline:
        text = _ONE_LINE_BREAKS.sub(" ", text)
    return text


def clean_optional(value: str | None, *, multiline: bool = False) -> str | None:
    return None if value is None else clean_text(value, multiline=multiline)


def clean_fields(record: T, *, multiline: Collection[str] = (), keep: Collection[str] = ()) -> T:
    """A copy of the dataclass ``record`` with every text in it cleaned, in nested
    dataclasses and tuples too; fields named in ``multiline`` keep their line breaks,
    and those in ``keep`` (a password: every character of it counts) are left alone."""
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        return record
    changes = {}
    for name in _init_fields(type(record)):
        if name not in keep:
            value = getattr(record, name)
            cleaned = _cleaned(value, name in multiline, multiline)
            if cleaned is not value:
                changes[name] = cleaned
    # A record with nothing to clean (nearly every one) is returned as it is.
    return dataclasses.replace(record, **changes) if changes else record


@functools.cache
def _init_fields(record_type: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(record_type) if field.init)


def _cleaned(value: Any, multiline: bool, names: Collection[str]) -> Any:
    if type(value) is str:
        return clean_text(value, multiline=multiline) if _UNCLEAN.search(value) else value
    if value is None or type(value) in (int, bool):
        return value
    if isinstance(value, str):
        return clean_text(value, multiline=multiline)
    if isinstance(value, tuple):
        items = tuple(_cleaned(v, multiline, names) for v in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return clean_fields(value, multiline=names)
    return value


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """ "1 item", "214 items", "1,204 rows", "58 people" (``plural`` for a noun that
    does not just take an s)."""
    return f"{number:,} {noun if number == 1 else (plural or noun + 's')}"


def and_listed(parts: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C": names in a sentence, in the order given."""
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"
