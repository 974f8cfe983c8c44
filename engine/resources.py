"""Where the files Netbuilder ships live: example projects, icons and bundled datasets.

They are in the repository's top-level `resources/` folder, installed as the package
`netbuilder_resources` (pyproject.toml maps one to the other), so the engine finds them
without knowing the window's package, and a wheel carries them.
"""

from __future__ import annotations

from importlib import resources as _importlib_resources
from pathlib import Path

PACKAGE = "netbuilder_resources"
_SOURCE_TREE = Path(__file__).resolve().parents[1] / "resources"


def resources_root() -> Path | None:
    """The installed resources folder, else the source checkout's, else None."""
    try:
        root = Path(str(_importlib_resources.files(PACKAGE)))
    except (ModuleNotFoundError, TypeError):
        root = _SOURCE_TREE
    return root if root.is_dir() else None


def resource_path(*parts: str) -> Path | None:
    """resources/<parts...> as a path, or None when it is not there."""
    root = resources_root()
    if root is None:
        return None
    path = root.joinpath(*parts)
    return path if path.exists() else None
