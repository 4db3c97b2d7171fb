"""The value checks every layer shares, whatever the record: text without control characters,
dates from 1900 to 2200. Pure functions of the value (no models), so the permissions, the
records and the ERP syncs refuse the same things with the same words.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

FIRST_DATE = datetime.date(1900, 1, 1)
LAST_DATE = datetime.date(2200, 12, 31)

# C0 controls, DEL, C1 controls, and the bidirectional overrides and isolates (which make text
# read differently from what it is). Multi-line text keeps tab, line feed and carriage return.
_CONTROL = "\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
CONTROL_CHARACTERS = re.compile(f"[{_CONTROL}]")


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control character of ``text`` refused in it, described (``U+001B``), or
    ``None``."""
    for char in text:
        if _is_control(char, multiline=multiline):
            name = unicodedata.name(char, "")
            return f"U+{ord(char):04X}{f' {name}' if name else ''}"
    return None


def _is_control(char: str, *, multiline: bool) -> bool:
    if multiline and char in "\t\n\r":
        return False
    return CONTROL_CHARACTERS.match(char) is not None


def text_problem(label: str, text: str, *, multiline: bool = False) -> str | None:
    found = control_character(text, multiline=multiline)
    if found is None:
        return None
    return f"{label} contains a control character ({found}); type it again without it."


def date_problem(label: str, value: datetime.date) -> str | None:
    day = value.date() if isinstance(value, datetime.datetime) else value
    if FIRST_DATE <= day <= LAST_DATE:
        return None
    return f"{label} must be between {FIRST_DATE:%Y-%m-%d} and {LAST_DATE:%Y-%m-%d}."
