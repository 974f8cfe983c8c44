"""Every error the engine raises is an EngineError, so callers (the GUI, the command line)
can catch one type and show its message. Subclasses also derive from ValueError or TypeError
where Keras raises those, so Keras-style `except ValueError` code keeps working."""


class EngineError(Exception):
    """Base of every error raised by the engine. The message says what was received and what
    was expected."""


class EngineValueError(EngineError, ValueError):
    """A value is out of range or of the wrong shape (Keras raises ValueError here)."""


class EngineTypeError(EngineError, TypeError):
    """An argument is of the wrong type (Keras raises TypeError here)."""


class UnknownNameError(EngineValueError):
    """An activation, loss, optimizer, initializer, regularizer or metric name is not registered."""


class NotBuiltError(EngineValueError):
    """The model has no weights yet: it needs an input shape, from Input(), build() or data."""


class TrainingDiverged(EngineError, ArithmeticError):
    """An epoch of fit ended unhealthy: its loss became NaN or infinite, the weights became
    non-finite or grew out of bounds, or the validation loss became non-finite. The model
    keeps the weights and optimizer state of the last healthy epoch.

    epoch: the 0-based index of the unhealthy epoch; loss: its training loss (may be
    finite, when the weights or the validation loss were the trouble); reason: what went
    wrong, e.g. "the weights grew past 1e+06"; kept_epoch: the 0-based epoch whose weights
    the model holds, or None for the weights from before this fit."""

    def __init__(
        self,
        message: str,
        epoch: int | None = None,
        loss: float | None = None,
        reason: str = "",
        kept_epoch: int | None = None,
    ):
        super().__init__(message)
        self.epoch = epoch
        self.loss = loss
        self.reason = reason
        self.kept_epoch = kept_epoch


class DatasetError(EngineValueError):
    """A dataset could not be read or does not fit: the message names the file, the line, the
    column and the offending text where they are known, and says what to do."""


class ProjectError(EngineError):
    """A project file could not be read or written: the message names the file and what is
    wrong, and says what to do."""
