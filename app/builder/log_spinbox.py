"""A spin box for quantities that live on a log scale, such as the learning rate."""

from __future__ import annotations

import math

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox

STEPS_PER_DECADE = 10  # one arrow press multiplies by 10**(1/10) ~= 1.26


def log_step(value: float, steps: int, low: float, high: float) -> float:
    """`value` moved `steps` notches along the grid 10**(k / STEPS_PER_DECADE), clamped.

    Snapping to the grid (rather than multiplying) keeps round numbers reachable:
    0.001 -> 0.00126 -> ... -> 0.01 after ten presses."""
    value = min(max(value, low), high)
    notch = round(math.log10(value) * STEPS_PER_DECADE) + steps
    stepped = 10 ** (notch / STEPS_PER_DECADE)
    return min(max(float(f"{stepped:.3g}"), low), high)


class LogSpinBox(QDoubleSpinBox):
    """QDoubleSpinBox whose arrows and wheel step by a factor instead of an increment, and
    whose text is shown with three significant digits (1e-06 .. 10)."""

    def __init__(self, low: float = 1e-6, high: float = 10.0, parent=None):
        super().__init__(parent)
        # Many decimals so Qt's internal rounding never turns 1e-6 into 0.
        self.setDecimals(12)
        self.setRange(low, high)
        self.setKeyboardTracking(False)

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt's name
        self.setValue(log_step(self.value(), steps, self.minimum(), self.maximum()))

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt's name
        return f"{value:.3g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt's name
        return float(text.strip().replace(",", "."))

    def validate(self, text: str, pos: int):
        stripped = text.strip().replace(",", ".")
        if stripped in ("", ".", "-", "e", "1e", "1e-"):
            return QValidator.State.Intermediate, text, pos
        try:
            value = float(stripped)
        except ValueError:
            # Partial input such as "3e" or "1e-0" may still become a number.
            if all(ch in "0123456789.eE-+" for ch in stripped):
                return QValidator.State.Intermediate, text, pos
            return QValidator.State.Invalid, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def fixup(self, text: str) -> str:
        try:
            value = float(text.strip().replace(",", "."))
        except ValueError:
            return self.textFromValue(self.value())
        return self.textFromValue(min(max(value, self.minimum()), self.maximum()))
