"""What the training process sends the window: pickles in which a run's fixed inputs travel
by name.

Both ends hold the run's view setup (the window built it; the training process got a copy
with the run), and its two largest parts are inputs, not results: the plane the boundary is
drawn over (its probe grid holds GRID x GRID rows of every feature: 31 MB for 784 features)
and every row of each split (the figures' rows). A snapshot's views refer to both, so pickled
whole the 784-feature network's views were 39 MB each, ~100 ms to send and as long to read in
the window, where reading them held its GIL. Here they are sent as ("layout", choice) and
("rows", split) and the window puts its own objects in their place.

The window's messages to the process are plain pickles (Connection.send): a run is sent once.
"""

from __future__ import annotations

import io
import pickle

from app.training.evaluation import EvalRows, PlaneLayout


def _held(kind: str, name: str):
    """Stands in a pickle for an input both ends hold; only loads() can resolve it."""
    raise pickle.UnpicklingError(f"{kind} {name!r}: read this message with wire.loads")


class _Pickler(pickle.Pickler):
    # reducer_override, not persistent_id: the pickler does not call it for plain numbers,
    # strings and containers, which are most of a snapshot (a run's per-epoch losses).
    def reducer_override(self, obj):
        if isinstance(obj, PlaneLayout):
            return _held, ("layout", obj.choice)
        if isinstance(obj, EvalRows):
            return _held, ("rows", obj.split)
        return NotImplemented


def dumps(message) -> memoryview:
    """`message` pickled, with the setup's layouts and rows by name."""
    buffer = io.BytesIO()
    _Pickler(buffer, pickle.HIGHEST_PROTOCOL).dump(message)
    return buffer.getbuffer()


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, setup):
        super().__init__(file)
        self._setup = setup

    def find_class(self, module, name):
        if module == __name__ and name == "_held":
            return self._resolve
        return super().find_class(module, name)

    def _resolve(self, kind: str, name: str):
        setup = self._setup
        if kind == "layout":
            # None when the person has chosen another plane since: those views are stale.
            layout = getattr(setup, "layout", None)
            return layout if layout is not None and layout.choice == name else None
        if kind == "rows":
            return setup.eval_sets.get(name) if setup is not None else None
        raise pickle.UnpicklingError(f"unknown input {kind!r}")


def loads(data, setup):
    """A message from dumps(), with the window's own `setup`'s layout and rows in it."""
    return _Unpickler(io.BytesIO(data), setup).load()
