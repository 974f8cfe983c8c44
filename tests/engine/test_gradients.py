"""One numerical gradient checker (central differences, float64) applied to every activation,
every loss and every sensible output-activation/loss pair through a whole model -- and proof
that the checker rejects a deliberately wrong gradient."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine import activations, config, losses, regularizers
from engine.layers import Dense, backprop


@pytest.fixture(autouse=True)
def float64():
    previous = config.floatx()
    config.set_floatx("float64")
    yield
    config.set_floatx(previous)


def numerical_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """d f / d x by central differences, (f(x + h e_i) - f(x - h e_i)) / 2h, for each i.
    `x` is perturbed in place and restored, so f may read x through views."""
    grad = np.zeros_like(x, dtype=np.float64)
    flat_x, flat_g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + h
        plus = f()
        flat_x[i] = original - h
        minus = f()
        flat_x[i] = original
        flat_g[i] = (plus - minus) / (2 * h)
    return grad


def check_gradient(f, x: np.ndarray, analytic: np.ndarray, rtol: float = 1e-5) -> None:
    """Assert that `analytic` is d f / d x: max |analytic - numeric| <= rtol * max(|numeric|, 1e-3)
    (the floor keeps near-zero gradients from demanding impossible relative precision)."""
    assert x.dtype == np.float64, "check gradients in float64"
    numeric = numerical_gradient(f, x)
    assert analytic.shape == numeric.shape
    error = np.max(np.abs(analytic - numeric))
    bound = rtol * max(np.max(np.abs(numeric)), 1e-3)
    assert error <= bound, f"gradient mismatch: max error {error:.3g} > {bound:.3g}"


# ---- activations ----------------------------------------------------------------------------
def _points(rng, shape):
    """Random pre-activations kept away from the kinks of relu/leaky_relu/elu at 0."""
    z = rng.normal(0.0, 2.0, size=shape)
    return np.where(np.abs(z) < 1e-2, 0.5, z)


@pytest.mark.parametrize("name", activations.available())
def test_activation_backward_matches_numeric_gradient(name):
    rng = np.random.default_rng(1)
    act = activations.get(name)
    z = _points(rng, (4, 5))
    da = rng.normal(size=z.shape)  # upstream gradient: checks the full vector-Jacobian product
    check_gradient(lambda: float(np.sum(da * act(z))), z, act.vjp(z, da))


@pytest.mark.parametrize("name", [n for n in activations.available() if n != "softmax"])
def test_elementwise_derivative_matches_numeric_gradient(name):
    rng = np.random.default_rng(2)
    act = activations.get(name)
    z = _points(rng, (3, 4))
    check_gradient(lambda: float(np.sum(act(z))), z, act.derivative(z))


def test_softmax_derivative_is_the_jacobian_diagonal():
    z = np.array([[0.3, -1.0, 2.0]])
    s = activations.get("softmax")(z)
    np.testing.assert_allclose(activations.get("softmax").derivative(z), s * (1 - s))


# ---- losses ---------------------------------------------------------------------------------
def _loss_cases():
    rng = np.random.default_rng(3)
    probabilities = rng.uniform(0.05, 0.95, size=(6, 3))
    softmaxish = probabilities / probabilities.sum(axis=1, keepdims=True)
    binary = rng.integers(0, 2, size=(6, 3)).astype(float)
    one_hot = np.eye(3)[rng.integers(0, 3, size=6)]
    labels = rng.integers(0, 3, size=6)
    real = rng.normal(size=(6, 3))
    logits = rng.normal(size=(6, 3))
    return {
        "binary_crossentropy": (losses.BinaryCrossentropy(), binary, probabilities),
        "binary_crossentropy_soft_labels": (
            losses.BinaryCrossentropy(),
            rng.uniform(size=(6, 3)),
            probabilities,
        ),
        "binary_crossentropy_logits": (losses.BinaryCrossentropy(from_logits=True), binary, logits),
        "categorical_crossentropy": (losses.CategoricalCrossentropy(), one_hot, softmaxish),
        "categorical_crossentropy_unnormalised": (
            losses.CategoricalCrossentropy(),
            one_hot,
            probabilities,
        ),
        "categorical_crossentropy_logits": (
            losses.CategoricalCrossentropy(from_logits=True),
            one_hot,
            logits,
        ),
        "sparse_categorical_crossentropy": (
            losses.SparseCategoricalCrossentropy(),
            labels,
            softmaxish,
        ),
        "sparse_categorical_crossentropy_logits": (
            losses.SparseCategoricalCrossentropy(from_logits=True),
            labels,
            logits,
        ),
        "mean_squared_error": (losses.MeanSquaredError(), real, logits),
        "mean_absolute_error": (losses.MeanAbsoluteError(), real, logits),
        "huber": (losses.Huber(delta=0.7), real, logits),
    }


def test_every_registered_loss_has_a_gradient_case():
    covered = {type(loss).registered_name for loss, _, _ in _loss_cases().values()}
    assert covered == set(losses.available())


@pytest.mark.parametrize("case", list(_loss_cases()))
def test_loss_gradient_matches_numeric_gradient(case):
    loss, y, p = _loss_cases()[case]
    p = p.copy()
    check_gradient(lambda: loss(y, p), p, loss.gradient(y, p))


# ---- output activation / loss pairs through a whole model -------------------------------------
PAIRS = [
    # (output activation, loss, hidden activation)
    ("sigmoid", losses.BinaryCrossentropy(), "relu"),
    ("sigmoid", losses.BinaryCrossentropy(), "sigmoid"),
    ("softmax", losses.CategoricalCrossentropy(), "tanh"),
    ("softmax", losses.SparseCategoricalCrossentropy(), "elu"),
    ("linear", losses.BinaryCrossentropy(from_logits=True), "silu"),
    ("linear", losses.CategoricalCrossentropy(from_logits=True), "softplus"),
    ("linear", losses.SparseCategoricalCrossentropy(from_logits=True), "leaky_relu"),
    ("linear", losses.MeanSquaredError(), "relu"),
    ("linear", losses.MeanAbsoluteError(), "tanh"),
    ("linear", losses.Huber(), "sigmoid"),
    ("relu", losses.MeanSquaredError(), "tanh"),
    ("sigmoid", losses.MeanSquaredError(), "linear"),
    ("tanh", losses.MeanSquaredError(), "softmax"),
    ("softplus", losses.Huber(), "relu"),
    ("sigmoid", losses.CategoricalCrossentropy(), "tanh"),  # not fused: chained gradient
]


def _targets(loss, rng, n, k):
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        return rng.integers(0, k, size=n)
    if isinstance(loss, losses.CategoricalCrossentropy):
        return np.eye(k)[rng.integers(0, k, size=n)]
    if isinstance(loss, losses.BinaryCrossentropy):
        return rng.integers(0, 2, size=(n, k)).astype(float)
    return rng.normal(size=(n, k))


@pytest.mark.parametrize(
    ("output", "loss", "hidden"), PAIRS, ids=[f"{o}-{type(lo).__name__}-{h}" for o, lo, h in PAIRS]
)
def test_model_gradients_match_numeric_gradient(output, loss, hidden):
    rng = np.random.default_rng(4)
    engine.utils.set_random_seed(5)
    k = 3
    model = engine.Sequential(
        [
            engine.Input(shape=(4,)),
            Dense(5, activation=hidden, kernel_regularizer=regularizers.L1L2(l1=0.01, l2=0.02)),
            Dense(k, activation=output),
        ]
    )
    model.compile(optimizer="sgd", loss=loss)
    x = rng.normal(size=(7, 4))
    y = _targets(loss, rng, 7, k)
    value, grads = model.compute_gradients(x, y)
    assert value == pytest.approx(model.evaluate(x, y, verbose=0))

    def objective():
        return model.evaluate(x, y, verbose=0)

    for weight, grad in zip(model.weights, grads):
        check_gradient(objective, weight, grad)


@pytest.mark.parametrize("hidden", ["relu", "elu"])  # in place and with a separate z buffer
def test_wide_and_bias_free_layers_match_numeric_gradient(hidden):
    """Wide hidden layers use row-major buffers and layers without bias no ones column."""
    rng = np.random.default_rng(9)
    engine.utils.set_random_seed(10)
    model = engine.Sequential(
        [
            engine.Input(shape=(3,)),
            Dense(70, activation=hidden),
            Dense(6, activation="tanh", use_bias=False),
            Dense(2, activation="softmax"),
        ]
    )
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x = rng.normal(size=(5, 3))
    y = rng.integers(0, 2, size=5)
    _, grads = model.compute_gradients(x, y)
    for weight, grad in zip(model.weights, grads):
        check_gradient(lambda: model.evaluate(x, y, verbose=0), weight, grad)


@pytest.mark.parametrize("hidden_units", [None, 4])
def test_wide_input_matches_numeric_gradient(hidden_units):
    """Wide inputs get no ones column: the first layer adds its bias separately (also when it
    is the output layer)."""
    rng = np.random.default_rng(11)
    layers = [engine.Input(shape=(70,))]
    if hidden_units:
        layers.append(Dense(hidden_units, activation="relu"))
    layers.append(Dense(2, activation="sigmoid"))
    model = engine.Sequential(layers)
    model.compile(optimizer="sgd", loss="bce")
    x = rng.normal(size=(6, 70))
    y = rng.integers(0, 2, size=(6, 2))
    _, grads = model.compute_gradients(x, y)
    for weight, grad in zip(model.weights, grads):
        check_gradient(lambda: model.evaluate(x, y, verbose=0), weight, grad)


def test_fused_and_chained_output_gradients_agree():
    """The fused sigmoid+BCE gradient p - y equals the chain rule through both pieces."""
    rng = np.random.default_rng(6)
    z = rng.normal(size=(5, 2))
    y = rng.integers(0, 2, size=(5, 2)).astype(float)
    sigmoid, bce = activations.get("sigmoid"), losses.BinaryCrossentropy()
    p = sigmoid(z)
    chained = sigmoid.vjp(z, bce.gradient(y, p))
    np.testing.assert_allclose(chained, (p - y) / y.size, rtol=1e-10)


# ---- the plain reference backprop (Dense.forward / Dense.backward) --------------------------
# (hidden activation, output activation, loss): every activation in a hidden layer and as the
# output, and the two fused output pairs, whose fast gradient p - y skips the output's backward
REFERENCE_CASES = (
    [(name, "linear", losses.MeanSquaredError()) for name in activations.available()]
    + [("tanh", name, losses.MeanSquaredError()) for name in activations.available()]
    + [
        ("relu", "sigmoid", losses.BinaryCrossentropy()),
        ("sigmoid", "softmax", losses.CategoricalCrossentropy()),
        ("elu", "softmax", losses.SparseCategoricalCrossentropy()),
    ]
)


def _reference_model(hidden, output, loss, rng):
    engine.utils.set_random_seed(12)
    model = engine.Sequential(
        [engine.Input(shape=(4,)), Dense(5, activation=hidden), Dense(3, activation=output)]
    )
    model.compile(optimizer="sgd", loss=loss)
    return model, rng.normal(size=(7, 4)), _targets(loss, rng, 7, 3)


def test_every_activation_has_a_reference_case():
    for position in (0, 1):
        covered = {case[position] for case in REFERENCE_CASES}
        assert covered >= set(activations.available())


@pytest.mark.parametrize(
    ("hidden", "output", "loss"),
    REFERENCE_CASES,
    ids=[f"{h}-{o}-{type(lo).__name__}" for h, o, lo in REFERENCE_CASES],
)
def test_step_plan_gradients_equal_the_plain_layer_by_layer_backprop(hidden, output, loss):
    """The training step's buffered, fused gradients are exactly what a loop of
    Dense.backward over the layers computes."""
    model, x, y = _reference_model(hidden, output, loss, np.random.default_rng(13))
    fast_value, fast = model.compute_gradients(x, y)
    value, reference = backprop(model.layers, model.loss, x, y)
    assert value == pytest.approx(fast_value, rel=1e-12)
    assert [g.shape for g in reference] == [w.shape for w in model.weights]
    for got, expected in zip(fast, reference):
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("hidden", ["relu", "elu"])
def test_plain_backprop_equals_the_step_for_wide_and_bias_free_layers(hidden):
    """The step's other layouts (row-major wide layers, a wide input whose bias is added
    apart, a layer without bias) give the reference gradients too."""
    rng = np.random.default_rng(14)
    model = engine.Sequential(
        [
            engine.Input(shape=(70,)),
            Dense(66, activation=hidden),
            Dense(6, activation="tanh", use_bias=False),
            Dense(2, activation="softmax"),
        ]
    )
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x, y = rng.normal(size=(5, 70)), rng.integers(0, 2, size=5)
    _, fast = model.compute_gradients(x, y)
    _, reference = backprop(model.layers, model.loss, x, y)
    assert len(reference) == 5  # W1 b1 W2 W3 b3
    for got, expected in zip(fast, reference):
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize(
    ("hidden", "output", "loss"),
    REFERENCE_CASES[::3] + REFERENCE_CASES[-3:],
    ids=[
        f"{h}-{o}-{type(lo).__name__}" for h, o, lo in REFERENCE_CASES[::3] + REFERENCE_CASES[-3:]
    ],
)
def test_plain_backprop_matches_numeric_gradient(hidden, output, loss):
    model, x, y = _reference_model(hidden, output, loss, np.random.default_rng(15))
    _, reference = backprop(model.layers, model.loss, x, y)
    for weight, grad in zip(model.weights, reference):
        check_gradient(lambda: model.evaluate(x, y, verbose=0), weight, grad)


def test_dense_forward_is_what_the_model_predicts():
    rng = np.random.default_rng(16)
    model, x, _ = _reference_model("tanh", "softmax", losses.CategoricalCrossentropy(), rng)
    first, second = model.layers
    z1, a1 = first.forward(x)
    z2, a2 = second.forward(a1)
    np.testing.assert_allclose(a2, model.predict(x), rtol=1e-12)
    for z, expected in zip((z1, z2), model.preactivations(x)):
        np.testing.assert_allclose(z, expected, rtol=1e-12)


# ---- the checker itself ----------------------------------------------------------------------
class _BrokenSigmoid(activations.Sigmoid):
    def backward(self, z, a, da, out, work):
        return np.multiply(da, a, out=out)  # forgot the (1 - a) factor


def test_checker_rejects_a_wrong_activation_gradient():
    rng = np.random.default_rng(7)
    act = _BrokenSigmoid()
    z = rng.normal(size=(3, 3))
    with pytest.raises(AssertionError, match="gradient mismatch"):
        check_gradient(lambda: float(np.sum(act(z))), z, act.vjp(z, np.ones_like(z)))


def test_checker_rejects_a_gradient_off_by_a_constant_factor():
    rng = np.random.default_rng(8)
    mse = losses.MeanSquaredError()
    y, p = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    wrong = mse.gradient(y, p) / 2.0  # forgot the 2 of d(e^2)/de
    with pytest.raises(AssertionError, match="gradient mismatch"):
        check_gradient(lambda: mse(y, p), p, wrong)
