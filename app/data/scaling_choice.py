"""The feature-scaling choice, shared by the dataset panel and the import dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

# (label, engine.data.make_scaler kind, tooltip)
SCALING_CHOICES = (
    (
        "Standardize (recommended)",
        "standardize",
        "Shift and scale each feature to mean 0 and standard deviation 1, as the course's "
        "Normalization layer does. Gradient descent converges much faster.",
    ),
    ("Min-max to [0, 1]", "minmax", "Scale each feature to the range 0 to 1."),
    (
        "None",
        "none",
        "Use the features as they are. Features on very different scales slow training down.",
    ),
)


def fill_scaling_combo(combo: QComboBox) -> None:
    """Fill `combo` with the scaling choices (item data = the engine's kind name)."""
    combo.clear()
    for label, kind, tip in SCALING_CHOICES:
        combo.addItem(label, kind)
        combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
    combo.setToolTip(
        "How the features are scaled before training (fitted on the training split only)."
    )


def select_scaling(combo: QComboBox, kind: str) -> None:
    """Show `kind` in a combo filled by fill_scaling_combo, without emitting activated."""
    index = combo.findData(kind)
    combo.setCurrentIndex(index if index >= 0 else 0)
