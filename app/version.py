"""Netbuilder's version: one string, the installed package's metadata."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _installed_version


def version() -> str:
    try:
        return _installed_version("netbuilder")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"
