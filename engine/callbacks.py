"""Callbacks: hooks fit calls at the start and end of training, epochs and batches, with
Keras 3's names and arguments. `logs` holds Python floats: on_train_batch_end gets
{"loss": running mean over the epoch so far}; on_epoch_end gets "loss", the metrics and
their "val_" twins."""

from __future__ import annotations

import warnings

import numpy as np

from .errors import EngineValueError


class Callback:
    """Base class; override the hooks you need. `self.model` is the model being trained and
    `self.params` holds {"epochs", "steps", "verbose"}. Setting
    `self.model.stop_training = True` ends training after the current batch."""

    def __init__(self):
        self.model = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        pass

    def on_train_batch_end(self, batch, logs=None):
        pass


def overrides(callback: Callback, hook: str) -> bool:
    """True when `callback` defines its own `hook` -- fit skips hooks nobody overrides, which
    keeps the per-batch loop free of no-op calls."""
    if hook in vars(callback):  # LambdaCallback sets hooks on the instance
        return True
    return getattr(type(callback), hook, None) is not getattr(Callback, hook)


class History(Callback):
    """Records the epoch logs: `history` maps "loss", "val_loss", metric names ... to lists
    of floats, one per epoch; `epoch` lists the epoch indices. fit returns it."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs.

    mode "auto" maximises metrics whose name contains "acc" and minimises the rest.
    restore_best_weights=True puts back the weights of the best epoch when training ends (as
    Keras 3 does, also when training ran to the last epoch)."""

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise EngineValueError(
                f"EarlyStopping mode must be 'auto', 'min' or 'max'. Received: mode={mode!r}"
            )
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise EngineValueError(
                f"patience must be a non-negative integer. Received: patience={patience!r}"
            )
        self.monitor = monitor
        self.min_delta = abs(float(min_delta))
        self.patience = patience
        self.verbose = verbose
        self.mode = mode
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        if mode == "max" or (mode == "auto" and "acc" in monitor):
            self._better = lambda current, reference: current - self.min_delta > reference
        else:
            self._better = lambda current, reference: current + self.min_delta < reference
        self._initial_best = (
            -np.inf if (mode == "max" or (mode == "auto" and "acc" in monitor)) else np.inf
        )

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = self._initial_best
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(
                f"EarlyStopping is conditioned on metric {self.monitor!r}, which is not "
                f"available. Available metrics are: {', '.join(logs or {})}",
                stacklevel=2,
            )
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._better(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)


class LambdaCallback(Callback):
    """Callback from plain functions, e.g. LambdaCallback(on_epoch_end=lambda e, logs: ...)."""

    def __init__(self, **hooks):
        super().__init__()
        for name, function in hooks.items():
            if not hasattr(Callback, name) or not name.startswith("on_"):
                raise EngineValueError(f"Unknown callback hook. Received: {name}=...")
            setattr(self, name, function)
