"""The g′(z) view of the activation panels names the share of the gradient each layer
passes back, mean g′(z) over the sample batch, computed from the engine's own model: a
saturated sigmoid layer passes far less than its best 0.25, and a ReLU layer passes exactly
its share of active (z > 0) units."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from app.plots.activation_plot import ActivationPlot
from app.plots.stats import layer_stats
from engine.layers import Dense


def model_with(hidden: str, scale: float):
    model = engine.Sequential(
        [engine.Input(shape=(3,)), Dense(8, activation=hidden), Dense(1, activation="linear")]
    )
    model.compile(optimizer="sgd", loss="mse")
    weights = model.get_weights()
    rng = np.random.default_rng(3)
    weights[0] = (rng.standard_normal(weights[0].shape) * scale).astype(weights[0].dtype)
    model.set_weights(weights)
    return model


def panel_text(plot, i: int) -> str:
    return plot.panels[i].text.textItem.toPlainText()


def shown_stats(qtbot, model, activations):
    x = np.random.default_rng(0).standard_normal((200, 3)).astype(np.float32)
    zs = model.preactivations(x)
    stats = [layer_stats(z, act) for z, act in zip(zs, activations)]
    plot = ActivationPlot()
    qtbot.addWidget(plot)
    plot.update_stats(stats)
    return plot, stats, zs


def test_a_saturated_sigmoid_layer_passes_far_less_than_a_quarter_of_the_gradient(qtbot):
    plot, stats, zs = shown_stats(qtbot, model_with("sigmoid", 40.0), ["sigmoid", "linear"])
    sig = stats[0]
    assert sig.saturated > 0.5
    assert sig.mean_gradient < 0.05  # the sigmoid's g′ is 0.25 at best
    s = 1 / (1 + np.exp(-zs[0].astype(np.float64)))
    assert sig.mean_gradient == pytest.approx(np.mean(s * (1 - s)), rel=1e-4)
    assert "mean g′" not in panel_text(plot, 0)  # only in the g′(z) view
    plot.derivative_check.setChecked(True)
    assert panel_text(plot, 0).splitlines() == [
        f"{round(sig.saturated * 8)}/8 saturated",
        f"mean g′(z) {sig.mean_gradient:.2g}",
    ]
    assert panel_text(plot, 1).splitlines()[1] == "mean g′(z) 1"  # linear passes it all
    plot.derivative_check.setChecked(False)
    assert "mean g′" not in panel_text(plot, 0)


def test_a_relu_layers_mean_gradient_is_its_share_of_active_units(qtbot):
    plot, stats, zs = shown_stats(qtbot, model_with("relu", 1.0), ["relu", "linear"])
    active = float(np.mean(zs[0] > 0))
    assert 0.2 < active < 0.8
    assert stats[0].mean_gradient == pytest.approx(active)
    plot.derivative_check.setChecked(True)
    assert panel_text(plot, 0).splitlines()[1] == f"mean g′(z) {active:.2g}"
