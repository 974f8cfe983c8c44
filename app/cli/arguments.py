"""argparse value types shared by the commands: each says what it received and expected."""

from __future__ import annotations

import argparse

import numpy as np

from app.version import version
from engine import activations
from engine.errors import EngineError

from .errors import PROG


def add_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"{PROG} {version()}")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, received {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, received {text!r}")
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, received {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, received {text!r}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, received {text!r}") from None
    if not value > 0 or not np.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a positive number, received {text!r}")
    return value


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, received {text!r}") from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected 0 <= fraction < 1, received {text!r}")
    return value


def batch_size(text: str) -> int | None:
    """'full' (or 0) means full-batch gradient descent (stored as None)."""
    if text.strip().lower() in ("full", "0"):
        return None
    return positive_int(text)


def name_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected column names A,B,..., received {text!r}")
    return names


def layer_list(text: str) -> list[tuple[int, str]]:
    """'25:sigmoid,15:sigmoid,1:sigmoid' -> [(25, 'sigmoid'), ...]; a bare '25' is relu."""
    layers = []
    for item in text.split(","):
        units_text, _, activation = item.strip().partition(":")
        try:
            units = int(units_text)
        except ValueError:
            units = 0
        if units < 1:
            raise argparse.ArgumentTypeError(
                f"expected UNITS:ACTIVATION with UNITS >= 1, received {item.strip()!r}"
            )
        activation = activation.strip() or "relu"
        try:
            activation = activations.get(activation).name
        except EngineError:
            raise argparse.ArgumentTypeError(
                f"unknown activation {activation!r} in {item.strip()!r}; expected one of "
                f"{', '.join(activations.available())}"
            ) from None
        layers.append((units, activation))
    return layers
