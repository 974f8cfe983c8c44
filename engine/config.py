"""Global numeric settings, as in keras.config."""

import numpy as np

from .errors import EngineValueError

_FLOATX = "float32"
_EPSILON = 1e-7  # Keras' backend epsilon: clips probabilities in the log losses


def floatx() -> str:
    """The float dtype name new weights and data use: "float32" (default) or "float64"."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Use "float32" (default, fast) or "float64" (exact, for gradient checks)."""
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise EngineValueError(
            f"Unknown floatx type. Received: value={value!r}; expected one of "
            "'float16', 'float32', 'float64'."
        )
    _FLOATX = value


def dtype() -> np.dtype:
    return np.dtype(_FLOATX)


def epsilon() -> float:
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)
