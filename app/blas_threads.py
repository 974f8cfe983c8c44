"""Leave one core to the window: the BLAS library's thread count, set before NumPy loads.

NumPy's OpenBLAS starts one thread per core and, after a matrix product big enough to split,
keeps its helper threads spinning for a while in case another comes. While the window trains,
the training thread makes such products for the live views (the boundary's grid prediction,
up to ten times a second), so on a 2-core machine a helper spun on the core the GUI thread
needs: in a 5-6-s run of the default project it burned 0.46-0.58 s of CPU, and the GUI thread
was preempted 990-1,716 times (86-320 times with one BLAS thread). Training itself gains nothing
from the helpers here: its products are too small to split, and for wide networks a second
BLAS thread measured slower on this machine (see the README's Performance section).

The libraries read these variables once, when they load, so this only works before NumPy is
imported: the window's entry point calls it first. A value the person set is kept. The
command line leaves them alone: with no window, every core may compute.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

# OpenBLAS (NumPy's wheels), OpenMP builds of it, and MKL (e.g. conda's NumPy)
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def usable_cpus() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than the
    machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def blas_threads_beside_window(cpus: int) -> int:
    """One core for the GUI thread, the rest for the BLAS library; at least one."""
    return max(1, int(cpus) - 1)


def leave_a_core_for_the_window(
    environ: MutableMapping[str, str] | None = None, cpus: int | None = None
) -> dict[str, str]:
    """Set each BLAS thread variable the person has not set; returns those it set."""
    environ = os.environ if environ is None else environ
    threads = str(blas_threads_beside_window(usable_cpus() if cpus is None else cpus))
    chosen = {name: threads for name in BLAS_THREAD_VARIABLES if not environ.get(name)}
    environ.update(chosen)
    return chosen
