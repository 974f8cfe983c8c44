"""What the builder says about each activation: display name, the course's advice, a colour.

Qt-free on purpose, so the palette, the canvas's context menu and the inspector show the same
words. Names are the engine's canonical activation names (engine.activations.available()).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActivationInfo:
    name: str  # canonical engine name, e.g. "leaky_relu"
    label: str  # what a person reads, e.g. "Leaky ReLU"
    advice: str  # when to use it, in the course's words
    colour: str  # curve colour in icons (mid-saturation: readable on light and dark)


# Palette order: the course's three workhorses first, then the rest.
ACTIVATIONS: tuple[ActivationInfo, ...] = (
    ActivationInfo(
        "relu",
        "ReLU",
        "The default for hidden layers: it is flat on one side only, so gradient descent "
        "trains faster than with sigmoid. Also an output for a target that is never "
        "negative (e.g. a price).",
        "#3d8bd9",
    ),
    ActivationInfo(
        "sigmoid",
        "Sigmoid",
        "The output for binary classification (y = 0 or 1), with binary cross-entropy. "
        "In hidden layers it trains slowly because it is flat on both sides.",
        "#d9822b",
    ),
    ActivationInfo(
        "linear",
        "Linear",
        "The output for a real-valued target that can be negative (regression), with mean "
        "squared error. Avoid in hidden layers: an all-linear network is just linear "
        "regression, and linear hidden layers with a sigmoid output are just logistic "
        "regression.",
        "#7a8793",
    ),
    ActivationInfo(
        "tanh",
        "Tanh",
        "A zero-centred sigmoid (output -1 to 1). Saturates on both sides like sigmoid; "
        "ReLU usually trains faster in hidden layers.",
        "#9b59b6",
    ),
    ActivationInfo(
        "softmax",
        "Softmax",
        "The output for several classes: one unit per class, with sparse categorical "
        "cross-entropy. The outputs are probabilities that sum to 1.",
        "#27ae60",
    ),
    ActivationInfo(
        "leaky_relu",
        "Leaky ReLU",
        "ReLU with a small slope for negative inputs, so a unit cannot die (stay at zero "
        "for every sample). For hidden layers.",
        "#2a9d8f",
    ),
    ActivationInfo(
        "elu",
        "ELU",
        "Like ReLU but smooth, and negative outputs bring mean activations closer to "
        "zero. For hidden layers.",
        "#c0504d",
    ),
    ActivationInfo(
        "softplus",
        "Softplus",
        "A smooth ReLU: log(1 + e^z). Always positive; an output for a positive "
        "real-valued target, or a hidden layer.",
        "#b8860b",
    ),
    ActivationInfo(
        "silu",
        "SiLU (swish)",
        "z · sigmoid(z): a smooth ReLU that dips slightly below zero. For hidden layers "
        "of deeper networks.",
        "#d6578f",
    ),
)

BY_NAME: dict[str, ActivationInfo] = {info.name: info for info in ACTIVATIONS}
# Keras aliases the project file may contain.
BY_NAME["swish"] = BY_NAME["silu"]


def info(name: str) -> ActivationInfo:
    """The info for an activation name; unknown names get a neutral entry instead of failing,
    so a project written by a newer version still draws."""
    known = BY_NAME.get(name)
    if known is not None:
        return known
    return ActivationInfo(name, name, f"Activation '{name}'.", "#7a8793")


def label(name: str) -> str:
    return info(name).label
