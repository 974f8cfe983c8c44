"""Where Netbuilder keeps its settings and recovery files, and the recent-files list.

Set NETBUILDER_CONFIG_DIR to keep both in one folder of your choice (the tests point it at a
temporary folder, so they never touch the user's real settings)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

ORGANIZATION = "Netbuilder"
APPLICATION = "Netbuilder"
CONFIG_DIR_ENV = "NETBUILDER_CONFIG_DIR"
MAX_RECENT = 8
_RECENT_KEY = "recentFiles"


def open_settings() -> QSettings:
    """The app's QSettings: an INI file in NETBUILDER_CONFIG_DIR when set, else the user's
    standard location for organization/application "Netbuilder"."""
    folder = os.environ.get(CONFIG_DIR_ENV)
    if folder:
        return QSettings(str(Path(folder) / "netbuilder.ini"), QSettings.Format.IniFormat)
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


def data_dir() -> Path:
    """Writable folder for app data (the autosave recovery file lives in its recovery/)."""
    folder = os.environ.get(CONFIG_DIR_ENV)
    if folder:
        return Path(folder)
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    if not location:  # no home directory: fall back to the working folder
        location = str(Path.cwd() / ".netbuilder")
    return Path(location)


def recent_files(settings: QSettings) -> list[str]:
    value = settings.value(_RECENT_KEY, [])
    if isinstance(value, str):  # QSettings returns a bare string for one-element lists
        value = [value]
    return [str(v) for v in (value or [])]


def add_recent_file(settings: QSettings, path: str | os.PathLike) -> list[str]:
    """Put `path` first in the recent list (no duplicates, at most MAX_RECENT)."""
    path = str(Path(path).absolute())
    files = [path] + [f for f in recent_files(settings) if f != path]
    files = files[:MAX_RECENT]
    settings.setValue(_RECENT_KEY, files)
    return files


def remove_recent_file(settings: QSettings, path: str | os.PathLike) -> list[str]:
    path = str(Path(path).absolute())
    files = [f for f in recent_files(settings) if f != path]
    settings.setValue(_RECENT_KEY, files)
    return files
