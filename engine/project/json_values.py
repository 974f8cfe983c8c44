"""Numbers as project.json holds them: parsed without trust, shown without risk.

A leaf module (the container, the migrations and the schema all need it): a number literal
too long to be real is never converted, and a message never prints thousands of digits.
"""

from __future__ import annotations

from typing import Any


def shown_value(value: Any) -> str:
    """A value as a message shows it: short, and never by int -> str of thousands of digits
    (Python refuses that past 4,300 digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * 0.30103):,} digits"
    if isinstance(value, TooLongNumber):
        return f"a number of {len(value):,} characters"
    try:
        shown = repr(value)
    except ValueError:  # a huge int nested in a list or dict
        shown = f"a {type(value).__name__} holding an integer too long to show"
    return shown if len(shown) <= 80 else shown[:77] + "..."


class TooLongNumber(str):
    """What project.json's reader makes of a number literal longer than MAX_NUMBER_CHARS: not
    a number (so every check refuses it, naming its place), and never parsed."""


# No value Netbuilder writes needs more; int() of a longer digit string is slow and past 4,300
# digits raises ValueError; float() of one is inf.
MAX_NUMBER_CHARS = 400


def parse_json_int(text: str):
    return TooLongNumber(text) if len(text) > MAX_NUMBER_CHARS else int(text)


def parse_json_float(text: str):
    return TooLongNumber(text) if len(text) > MAX_NUMBER_CHARS else float(text)
