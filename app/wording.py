"""Counted nouns for labels: "1 feature", "2 features" (the window said "1 features")."""

from __future__ import annotations


def count(n: int, noun: str, plural: str = "") -> str:
    """`n` and the noun, singular for exactly one: count(1, "unit") -> "1 unit"; `plural`
    where adding an s is wrong (count(2, "bias", "biases"))."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"
