"""The course's advice on activations and losses, as Qt-free rules over a Project.

`check(project)` returns the hints that apply now, most important first. Each hint carries
one or more `Fix`es: a label for the button and a function that edits the project in place
(the advisor panel wraps it in an undo command). Rules read only `project.layers`,
`project.compile` and `project.dataset` (``.task``, ``.n_classes``, ``.y`` of shape
(n_samples, 1)).

The advice (from the course): sigmoid for a binary output, linear for a signed real output,
ReLU for a non-negative output, ReLU in hidden layers; all-linear is linear regression; linear
hidden layers with a sigmoid output is logistic regression.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .. import losses
from ..errors import EngineError
from .document import Project
from .edits import (
    HIDDEN_UNITS_DEFAULT,
    expected_output_units,
    insert_layer,
    loss_task,
    reset_training,
    set_loss,
    set_target_scaling,
)
from .specs import TASK_OUTPUT, LayerSpec

BCE = "binary_crossentropy"
SPARSE_CCE = "sparse_categorical_crossentropy"
CCE = "categorical_crossentropy"
MSE = "mean_squared_error"

WARNING = "warning"  # the network will train badly or not at all
INFO = "info"  # it works, but the course suggests something better or explains what it is


@dataclass(frozen=True)
class Fix:
    """One button: `label` says what it does in a few words (it must fit a narrow dock),
    `detail` says it in full (the tooltip), `apply(project)` does it in place."""

    label: str
    apply: Callable[[Project], None]
    detail: str = ""


@dataclass(frozen=True)
class Advice:
    rule: str  # stable id, e.g. "binary_target"
    severity: str  # WARNING or INFO
    message: str
    fixes: tuple[Fix, ...] = field(default_factory=tuple)


def canonical_loss(name: str) -> str:
    """The registered name of a loss given by any alias ("bce", "BinaryCrossentropy");
    an unknown name comes back as it was, so no rule matches it."""
    key = (name or "").strip()
    for candidate in (key, key.lower()):
        try:
            return losses.get(candidate).registered_name
        except EngineError:
            continue
    return key


def _activation(layer: LayerSpec) -> str:
    return (layer.activation or "linear").lower()


def _output(project: Project) -> LayerSpec | None:
    return project.layers[-1] if project.layers else None


def _task(project: Project) -> str | None:
    return getattr(project.dataset, "task", None)


def _target_min(project: Project) -> float | None:
    y = getattr(project.dataset, "y", None)
    if y is None or np.size(y) == 0:
        return None
    return float(np.min(y))


# --- fixes (each edits the project in place) ---------------------------------------------


def _set_output(
    activation: str | None = None,
    units: int | None = None,
    loss: str | None = None,
    from_logits: bool | None = None,
):
    def apply(project: Project) -> None:
        out = project.layers[-1]
        if activation is not None:
            out.activation = activation
        if units is not None:
            out.units = units
        if loss is not None:
            set_loss(project, loss)
        if from_logits is not None:
            project.compile.from_logits = from_logits
        reset_training(project)

    return apply


def _hidden_to_relu(only: set[str]):
    def apply(project: Project) -> None:
        for layer in project.layers[:-1]:
            if _activation(layer) in only:
                layer.activation = "relu"
        reset_training(project)

    return apply


def _add_output_layer(project: Project) -> None:
    units = expected_output_units(project.dataset) or 1
    activation = TASK_OUTPUT.get(_task(project), TASK_OUTPUT["regression"])[0]
    insert_layer(project, len(project.layers), activation, units)


def _add_relu_hidden_layer(project: Project) -> None:
    insert_layer(project, 0, "relu", HIDDEN_UNITS_DEFAULT)


# --- rules ---------------------------------------------------------------------------------


def rule_no_layers(project: Project) -> Advice | None:
    if project.layers:
        return None
    return Advice(
        "no_layers",
        WARNING,
        "The network has no layers. It needs at least an output layer.",
        (Fix("Add an output layer", _add_output_layer),),
    )


def rule_binary_target(project: Project) -> Advice | None:
    out = _output(project)
    if out is None or _task(project) != "binary" or canonical_loss(project.compile.loss) == BCE:
        return None
    return Advice(
        "binary_target",
        WARNING,
        "The target is binary (0/1): use a sigmoid output with binary cross-entropy, so the "
        "output is the probability of class 1.",
        (
            Fix(
                "Sigmoid + binary CE",
                _set_output("sigmoid", 1, BCE, False),
                "One sigmoid output unit with binary cross-entropy",
            ),
        ),
    )


def rule_multiclass_target(project: Project) -> Advice | None:
    out = _output(project)
    if out is None or _task(project) != "multiclass":
        return None
    n = int(project.dataset.n_classes)
    act, logits = _activation(out), project.compile.from_logits
    loss_ok = canonical_loss(project.compile.loss) == SPARSE_CCE
    output_ok = (act == "softmax" and not logits) or (act == "linear" and logits)
    if loss_ok and output_ok:
        return None
    return Advice(
        "multiclass_target",
        WARNING,
        f"The target has {n} classes: use a softmax output with {n} units and sparse "
        f"categorical cross-entropy (the labels are class numbers 0..{n - 1}).",
        (
            Fix(
                f"Softmax ({n}) + sparse CE",
                _set_output("softmax", n, SPARSE_CCE, False),
                f"A softmax output with {n} units and sparse categorical cross-entropy",
            ),
        ),
    )


def rule_signed_regression(project: Project) -> Advice | None:
    out = _output(project)
    low = _target_min(project)
    if out is None or _task(project) != "regression" or low is None or low >= 0:
        return None
    loss_ok = loss_task(project.compile.loss) == "regression"
    if _activation(out) == "linear" and loss_ok:
        return None
    return Advice(
        "signed_regression",
        WARNING,
        "The target is a real number that can be negative: use a linear output with mean "
        "squared error (a sigmoid or ReLU output cannot produce negative values).",
        (
            Fix(
                "Linear + MSE",
                _set_output("linear", 1, MSE, False),
                "A linear output unit with mean squared error",
            ),
        ),
    )


def _scales_target(project: Project) -> bool:
    return getattr(project.training, "target_scaling", "none") == "standardize"


def _scale_target(project: Project) -> None:
    # A standardised target is negative for every value below the mean: an output that
    # cannot go below zero (ReLU, softplus) could not fit it.
    if project.layers and _activation(project.layers[-1]) in ("relu", "softplus"):
        project.layers[-1].activation = "linear"
    set_target_scaling(project, "standardize")
    reset_training(project)


# A target whose centre or spread is this far from 1 is far from what a freshly initialised
# network outputs (values near 0, spread near 1): the coffee network switched to the `linear`
# set (mean 527, spread 182) trains to a loss of 1.96e+05 and a flat line.
_TARGET_SCALE_LIMIT = 10.0


def rule_unscaled_target(project: Project) -> Advice | None:
    y = getattr(project.dataset, "y", None)
    if (
        _task(project) != "regression"
        or _scales_target(project)
        or y is None
        or np.size(y) == 0
        or canonical_loss(project.compile.loss) not in (MSE, "mean_absolute_error")
    ):
        return None
    mean, spread = float(np.mean(y)), float(np.std(y))
    if max(abs(mean), spread) <= _TARGET_SCALE_LIMIT and spread >= 1 / _TARGET_SCALE_LIMIT:
        return None
    return Advice(
        "unscaled_target",
        WARNING,
        f"The target is trained unscaled, but its mean is {mean:.4g} and its spread "
        f"{spread:.4g}, far from the outputs of a fresh network (near 0, spread near 1): "
        "training will be slow or stay flat. Standardise the target; losses and predictions "
        "stay in its own units.",
        (
            Fix(
                "Scale the target",
                _scale_target,
                "Train on the standardised target (y - mean) / spread, fitted on the training "
                "split; predictions are turned back into the target's units",
            ),
        ),
    )


def rule_nonnegative_regression(project: Project) -> Advice | None:
    out = _output(project)
    low = _target_min(project)
    if (
        out is None
        or _task(project) != "regression"
        or low is None
        or low < 0
        or _scales_target(project)
    ):  # a standardised target is signed
        return None
    loss_ok = loss_task(project.compile.loss) == "regression"
    if _activation(out) in ("relu", "softplus") and loss_ok:
        return None
    loss = project.compile.loss if loss_ok else MSE
    return Advice(
        "nonnegative_regression",
        INFO if loss_ok else WARNING,
        "The target is never negative: a ReLU output cannot predict impossible negative "
        "values"
        + ("." if loss_ok else ", and regression needs a loss such as mean squared error."),
        (
            Fix(
                "ReLU output" + ("" if loss_ok else " + MSE"),
                _set_output("relu", 1, loss, False),
                "A ReLU output unit" + ("" if loss_ok else " with mean squared error"),
            ),
        ),
    )


def rule_bce_output(project: Project) -> Advice | None:
    out = _output(project)
    if out is None or canonical_loss(project.compile.loss) != BCE:
        return None
    act, logits = _activation(out), project.compile.from_logits
    if logits and act == "sigmoid":
        return Advice(
            "bce_output",
            WARNING,
            "from_logits=True expects raw scores, but the output already applies a sigmoid: "
            "the sigmoid would be applied twice.",
            (
                Fix("Turn off from_logits", _set_output(from_logits=False)),
                Fix("Linear output (logits)", _set_output(activation="linear")),
            ),
        )
    if logits or act == "sigmoid":
        return None
    fixes = [Fix("Sigmoid output", _set_output(activation="sigmoid"))]
    if act == "linear":
        fixes.append(
            Fix(
                "Use from_logits",
                _set_output(from_logits=True),
                "Keep the linear output and let the loss apply the sigmoid (from_logits=True)",
            )
        )
    return Advice(
        "bce_output",
        WARNING,
        f"Binary cross-entropy expects a probability between 0 and 1, but the output layer "
        f"is {act}: use a sigmoid output"
        + (", or keep it linear and set from_logits=True." if act == "linear" else "."),
        tuple(fixes),
    )


def rule_sigmoid_hidden(project: Project) -> Advice | None:
    hidden = [i for i, layer in enumerate(project.layers[:-1]) if _activation(layer) == "sigmoid"]
    if not hidden:
        return None
    numbers = [str(i + 1) for i in hidden]
    which = (
        f"Hidden layer {numbers[0]} uses"
        if len(numbers) == 1
        else f"Hidden layers {', '.join(numbers[:-1])} and {numbers[-1]} use"
    )
    return Advice(
        "sigmoid_hidden",
        INFO,
        f"{which} sigmoid. ReLU usually trains faster, because sigmoid is flat on both sides "
        "and its gradient vanishes there.",
        (
            Fix(
                "ReLU hidden layers",
                _hidden_to_relu({"sigmoid"}),
                "Change the sigmoid hidden layers to ReLU",
            ),
        ),
    )


def rule_all_linear(project: Project) -> Advice | None:
    if not project.layers or any(_activation(layer) != "linear" for layer in project.layers):
        return None
    if len(project.layers) > 1:
        fix = Fix(
            "ReLU hidden layers",
            _hidden_to_relu({"linear"}),
            "Change the linear hidden layers to ReLU",
        )
    else:
        fix = Fix("Add a ReLU hidden layer", _add_relu_hidden_layer)
    return Advice(
        "all_linear",
        INFO,
        "Every layer is linear, so the whole network is equivalent to linear regression: "
        "stacked linear layers collapse into one. Non-linear hidden layers (ReLU) let it fit "
        "curves.",
        (fix,),
    )


def rule_logistic_regression(project: Project) -> Advice | None:
    out = _output(project)
    hidden = project.layers[:-1]
    if (
        out is None
        or not hidden
        or _activation(out) != "sigmoid"
        or any(_activation(layer) != "linear" for layer in hidden)
    ):
        return None
    return Advice(
        "logistic_regression",
        INFO,
        "The hidden layers are linear and the output is sigmoid, so the network is equivalent "
        "to logistic regression: it can only draw a straight decision boundary.",
        (
            Fix(
                "ReLU hidden layers",
                _hidden_to_relu({"linear"}),
                "Change the linear hidden layers to ReLU",
            ),
        ),
    )


def rule_output_units(project: Project) -> Advice | None:
    out = _output(project)
    if out is None:
        return None
    expected = expected_output_units(project.dataset)
    if expected is None:
        if _activation(out) == "softmax" and out.units == 1:
            return Advice(
                "output_units",
                WARNING,
                "A softmax over a single unit always outputs 1, so the network cannot learn. "
                "Use one unit per class, or a sigmoid output for two classes.",
                (Fix("Sigmoid output", _set_output(activation="sigmoid")),),
            )
        return None
    if out.units == expected:
        return None
    if _task(project) == "multiclass":
        why = f"one unit per class ({expected} classes)"
    else:
        why = (
            "a single unit for a "
            + ("binary" if _task(project) == "binary" else "real")
            + " target"
        )
    return Advice(
        "output_units",
        WARNING,
        f"The output layer has {out.units} units, but the dataset needs {why}.",
        (
            Fix(
                f"Output units: {expected}",
                _set_output(units=expected),
                f"Set the output layer's units to {expected}",
            ),
        ),
    )


RULES: tuple[Callable[[Project], Advice | None], ...] = (
    rule_no_layers,
    rule_binary_target,
    rule_multiclass_target,
    rule_signed_regression,
    rule_nonnegative_regression,
    rule_unscaled_target,
    rule_bce_output,
    rule_output_units,
    rule_sigmoid_hidden,
    rule_all_linear,
    rule_logistic_regression,
)


TASK_RULES = {"binary_target", "multiclass_target", "signed_regression", "nonnegative_regression"}


def check(project: Project) -> list[Advice]:
    """Every hint that applies to `project`, warnings before information."""
    found = [advice for rule in RULES if (advice := rule(project)) is not None]
    # A task rule's fix sets the output activation, units and loss together, so the narrower
    # hints about the same output (units, cross-entropy vs activation) would only repeat it.
    if any(a.rule in TASK_RULES for a in found):
        found = [a for a in found if a.rule not in ("output_units", "bce_output")]
    return sorted(found, key=lambda a: a.severity != WARNING)
