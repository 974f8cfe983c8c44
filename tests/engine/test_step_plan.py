"""The compiled training step (engine/step_plan.py): after its buffers are allocated it
allocates nothing per batch, whatever the activations, regularizers and optimizer; and the
loss, not the plan, decides when the fused output gradient p - y holds."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import engine
from engine import activations, losses, optimizers, regularizers
from engine.fit_loop import QUIET
from engine.layers import Dense
from engine.step_plan import StepPlan, with_ones_column

OPTIMIZERS = [
    lambda: optimizers.SGD(0.01),
    lambda: optimizers.SGD(0.01, momentum=0.9, nesterov=True),
    lambda: optimizers.RMSprop(0.01),
    lambda: optimizers.Adam(0.01),
]


def _allocated_per_step(model, x, y, steps: int = 5) -> int:
    """Bytes still held, or peak bytes allocated, by `steps` steps of a compiled plan."""
    plan = StepPlan(model, len(x), y)
    plan.bind_optimizer(model.optimizer)
    xb = with_ones_column(x, model._layers)
    pb = np.empty((len(x), model._layers[-1].units), dtype=x.dtype)
    with np.errstate(**QUIET):
        plan.step(xb, y, pb)  # first call: any lazy setup
        tracemalloc.start()
        try:
            for _ in range(steps):
                plan.step(xb, y, pb)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return peak


@pytest.mark.parametrize("hidden", activations.available())
@pytest.mark.parametrize("make_optimizer", OPTIMIZERS, ids=["sgd", "nesterov", "rmsprop", "adam"])
def test_a_step_allocates_no_arrays(hidden, make_optimizer):
    """Every activation's forward and backward, the L1 + L2 gradient and every optimizer's
    update write into buffers allocated once: a step allocates no array. (Before: SiLU's
    backward, Softplus' forward, Nesterov and the penalties each allocated one per batch.)"""
    if hidden == "softmax":
        pytest.skip("softmax is an output activation; its row sums are small (m, 1) arrays")
    engine.utils.set_random_seed(3)
    reg = regularizers.L1L2(l1=0.01, l2=0.02)
    model = engine.Sequential(
        [
            engine.Input(shape=(3,)),
            Dense(40, activation=hidden, kernel_regularizer=reg, bias_regularizer=reg),
            # narrow layers only: an elementwise call on a wide layer's row-major (m, units) view
            # of its (m, units + 1) buffer gets a 32 kB iteration buffer from NumPy itself
            Dense(30, activation=hidden, kernel_regularizer=reg),
            Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=make_optimizer(), loss="binary_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = (rng.random((64, 1)) > 0.5).astype(np.float32)
    # an array of this step would be at least 64 x 30 float32 = 7.7 kB; Python's own small
    # objects (a float or two per step) stay far below
    assert _allocated_per_step(model, x, y) < 2_000


def test_the_loss_decides_the_fused_gradient():
    """Softmax + categorical cross-entropy fuse only when every target row sums to one; the
    loss says so from the targets, and the plan follows it."""
    cce, softmax = losses.CategoricalCrossentropy(), activations.get("softmax")
    one_hot = np.eye(3, dtype=np.float32)[[0, 2, 1, 1]]
    soft = one_hot * 0.5  # rows sum to 0.5: p - y is not the gradient
    assert cce.fuses_with(softmax, one_hot)
    assert not cce.fuses_with(softmax, soft)
    assert not cce.fuses_with(activations.get("sigmoid"), one_hot)
    assert not losses.CategoricalCrossentropy(from_logits=True).fuses_with(softmax, one_hot)
    assert losses.BinaryCrossentropy().fuses_with(activations.get("sigmoid"))
    assert not losses.MeanSquaredError().fuses_with(activations.get("linear"))

    model = engine.Sequential([engine.Input(shape=(2,)), Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss=cce)
    assert StepPlan(model, 4, one_hot).fused
    assert not StepPlan(model, 4, soft).fused
    assert not StepPlan(model, 4, one_hot, fused=False).fused  # a caller's answer stands


def test_sigmoid_layers_get_minus_z_from_one_negation_of_their_weights():
    """Sigmoid is 1 / (1 + e^-z): its layers' products use -W, negated once per step for
    all of them, so the course net's step has one np.negative where it had one per layer;
    and the predictions and the updated weights are bit for bit those of the same step
    computed with +W and a negation per layer (the product of -W is exactly -(a @ W))."""
    engine.utils.set_random_seed(5)
    model = engine.Sequential(
        [
            engine.Input(shape=(2,)),
            Dense(25, activation="sigmoid"),
            Dense(80, activation="sigmoid"),  # a wide layer: z in a buffer of its own
            Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=optimizers.Adam(0.01), loss="binary_crossentropy")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 2)).astype(np.float32)
    y = (rng.random((32, 1)) > 0.5).astype(np.float32)
    plan = StepPlan(model, 32, y)
    assert plan.calls.count(np.negative) == 1
    assert np.exp in plan.calls

    reference = engine.Sequential.from_config(model.get_config())
    reference.set_weights(model.get_weights())
    reference.compile(optimizer=optimizers.Adam(0.01), loss="binary_crossentropy")
    sigmoid = type(activations.get("sigmoid"))
    plain = StepPlan.__new__(StepPlan)  # the same plan, with the negation done per layer
    original = sigmoid.starts_from_negated_z
    try:
        sigmoid.starts_from_negated_z = False
        plain.__init__(reference, 32, y)
    finally:
        sigmoid.starts_from_negated_z = original
    assert plain.calls.count(np.negative) == 3

    xb = with_ones_column(x, model._layers)
    for p, m in ((plan, model), (plain, reference)):
        p.bind_optimizer(m.optimizer)
    p_new, p_plain = np.empty((32, 1), np.float32), np.empty((32, 1), np.float32)
    with np.errstate(**QUIET):
        for _ in range(3):
            plan.step(xb, y, p_new)
            plain.step(xb, y, p_plain)
            assert np.array_equal(p_new, p_plain)
    assert np.array_equal(model._flat, reference._flat)


def test_softmax_step_calls_give_the_bits_of_forward():
    """Softmax hands the plan its own calls (the row maximum from a column-major copy, 48 ->
    23 us on 128 x 10); their result is forward's, bit for bit."""
    softmax = activations.get("softmax")
    assert type(softmax).forward_calls is not activations.Activation.forward_calls
    rng = np.random.default_rng(3)
    z = (rng.normal(size=(128, 10)) * 30).astype(np.float32)
    expected = softmax.forward(z, np.empty_like(z))
    out = np.empty_like(z)
    with np.errstate(**QUIET):
        for function, *operands in softmax.forward_calls(z, out, np.float32):
            function(*operands)
    assert np.array_equal(out, expected)


def test_relu_mask_of_wide_layers_is_the_sign_mask():
    """Wide layers take ReLU's mask as ceil(min(a, 1)) (vectorised) instead of sign(a): the
    same 0 / 1 for every a >= 0, NaN for NaN, so the same gradient bits."""
    relu = activations.get("relu")
    rng = np.random.default_rng(6)
    a = np.maximum(rng.normal(size=(128, 256)), 0.0).astype(np.float32)
    a[0, :4] = [1e-45, 1.0, 3e38, np.nan]  # subnormal, one, huge, NaN
    da = rng.normal(size=a.shape).astype(np.float32)
    out, work = np.empty_like(a), np.empty_like(a)
    calls = relu.backward_calls(a, a, da, out, work, np.float32)
    assert np.ceil in [function for function, *_ in calls]
    with np.errstate(**QUIET):
        for function, *operands in calls:
            keywords = operands.pop() if isinstance(operands[-1], dict) else {}
            function(*operands, **keywords)
    np.testing.assert_array_equal(out, da * np.sign(a))
