"""A thread inside private_random_state draws from and seeds a generator of its own: another
thread's seeding (the window reseeds whenever it redraws its views) cannot change what it
draws, and it changes nothing the next run draws (engine/utils.py)."""

from __future__ import annotations

import threading

import numpy as np

import engine
from engine import optimizers, utils
from engine.layers import Dense


def _reseed_until(stop: threading.Event) -> None:
    seed = 0
    while not stop.is_set():
        seed += 1
        utils.set_random_seed(seed)
        utils.rng().random(8)


def _in_thread(work):
    out = {}

    def run():
        with utils.private_random_state():
            out["result"] = work()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out["result"]


def test_a_private_block_draws_what_its_own_seed_gives_while_another_thread_reseeds():
    def draws():
        utils.set_random_seed(5)
        return np.concatenate([utils.rng().random(100) for _ in range(200)])

    stop = threading.Event()
    noise = threading.Thread(target=_reseed_until, args=(stop,))
    noise.start()
    try:
        got = _in_thread(draws)
    finally:
        stop.set()
        noise.join()
    np.testing.assert_array_equal(got, np.random.default_rng(5).random(20_000))


def test_the_block_leaves_the_global_generators_as_they_were():
    utils.set_random_seed(7)
    expected = np.random.default_rng(7).random(3)
    legacy = np.random.get_state()[1].copy()
    _in_thread(lambda: (utils.set_random_seed(99), utils.rng().random(50)))
    np.testing.assert_array_equal(utils.rng().random(3), expected)
    np.testing.assert_array_equal(np.random.get_state()[1], legacy)


def _fit_from_seed(after_seeding=lambda: None):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 3)).astype(np.float32)
    y = (x[:, :1] * x[:, 1:2] > 0).astype(np.float32)
    utils.set_random_seed(11)  # initial weights and the batches' order
    after_seeding()
    model = engine.Sequential(
        [engine.Input(shape=(3,)), Dense(8, activation="relu"), Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")
    model.fit(x, y, batch_size=16, epochs=30, verbose=0)
    return model.get_weights()


def test_a_fit_in_a_private_block_is_the_same_whatever_other_threads_seed():
    """Another thread seeds (and draws) between this thread's seeding and its fit: with one
    global generator the fit would draw its initial weights and batches from that thread's."""

    def reseed_elsewhere():
        other = threading.Thread(target=lambda: (utils.set_random_seed(3), utils.rng().random(9)))
        other.start()
        other.join()

    quiet = _in_thread(_fit_from_seed)
    busy = _in_thread(lambda: _fit_from_seed(reseed_elsewhere))
    for a, b in zip(quiet, busy):
        np.testing.assert_array_equal(a, b)
    # without a private block the other thread's seed is what the fit draws from
    shared = _fit_from_seed(reseed_elsewhere)
    assert not all(np.array_equal(a, b) for a, b in zip(quiet, shared))
