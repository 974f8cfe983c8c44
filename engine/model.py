"""Sequential, re-exported from engine/sequential.py, where the layer stack now lives, for the
code that imports it as `from engine.model import Sequential`."""

from .sequential import Sequential

__all__ = ["Sequential"]
