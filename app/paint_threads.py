"""Paint on the GUI thread alone: Qt's helper threads for large fills, off.

Qt's raster engine splits a fill of more than ~96 spans (a long antialiased line, a filled
curve) over a pool of two helper threads and waits for them. The live views are made of such
fills: in a training run with the Gradients panel open the GUI thread waited on the helpers
~190 times a second, each wait a wake-up of a thread on the other core, the one the training
runs on. On this 2-core machine that is slower than filling alone: the whole window repainted
in 12.6-19.0 ms (median of 40) with the helpers and 8.6-12.5 ms without, in three processes
each, and the GUI thread then computes the whole time instead of ~75% of it (see the README's
Performance section). A frame is drawn while training stands aside, so a faster frame is
training time won back.

Qt reads the variable once, at its first such fill, so it is set before the window paints. A
value the person set is kept (Qt only asks whether it is set)."""

from __future__ import annotations

import os
from collections.abc import MutableMapping

NO_GUI_THREAD_POOL = "QT_NO_GUI_THREADPOOL"


def paint_on_the_gui_thread(environ: MutableMapping[str, str] | None = None) -> bool:
    """Turn Qt's fill helpers off unless the person set the variable; True if this did."""
    environ = os.environ if environ is None else environ
    if NO_GUI_THREAD_POOL in environ:
        return False
    environ[NO_GUI_THREAD_POOL] = "1"
    return True
