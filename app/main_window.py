"""The main window: docks around the network canvas, menus and toolbar, the undo stack.

Layout: central widget = NetworkCanvas; left docks = layer palette and
dataset panel; right docks = training settings, inspector and advisor; bottom dock(s) and the Training toolbar
come from app/training/integration.py.

The window owns the document: `project` and `undo_stack`. Widgets never edit the project:
they emit requests, and the window turns each one into a ProjectCommand (app/commands.py) on
the undo stack. After every edit, undo, redo, open or new, `projectChanged` is emitted.
File operations live in app/file_actions.py, dialogs in app/dialogs.py, autosave in
app/autosave.py, settings in app/settings.py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMenu,
    QStyle,
    QToolBar,
    QWidget,
)

from app import commands, help_dialogs, image_export, theme, wheel_guard
from app import settings as app_settings
from app.autosave import SAVE_BEFORE_RUN_S, Autosaver
from app.builder.advisor import AdvisorPanel
from app.builder.canvas import NetworkCanvas
from app.builder.inspector import LayerInspector
from app.builder.palette import LayerPalette
from app.builder.training_settings import TrainingSettings
from app.data.panel import DatasetPanel
from app.dialogs import Dialogs
from app.file_actions import FileActions
from app.paint_threads import paint_on_the_gui_thread
from app.status_state import StatusState
from app.training.controller import IDLE, PAUSED, RUNNING
from app.training.integration import attach_training
from app.version import version
from engine.errors import EngineError
from engine.project import Project
from engine.resources import resource_path

ICON_PATH = resource_path("icons", "netbuilder.svg") or Path("netbuilder.svg")
DEFAULT_SIZE = QSize(1400, 900)


def app_icon() -> QIcon:
    """The SVG for every size, plus a PNG for systems without Qt's SVG image plugin."""
    icon = QIcon(str(ICON_PATH))
    icon.addFile(str(ICON_PATH.with_name("netbuilder-256.png")), QSize(256, 256))
    return icon


# Standard keys some platforms leave unbound (e.g. Quit outside GNOME/KDE/macOS).
_FALLBACK_KEYS = {QKeySequence.StandardKey.Quit: "Ctrl+Q"}
# Keys a standard key must also have on every platform: X11's Redo is only Ctrl+Shift+Z,
# but people (and the Edit menu's promise) expect Ctrl+Y too.
_EXTRA_KEYS = {QKeySequence.StandardKey.Redo: ("Ctrl+Y",)}


def _key_sequences(shortcut) -> list[QKeySequence]:
    """Every binding of a standard key plus _EXTRA_KEYS, or the sequences given as text
    (one string, or a list whose first entry is the one shown in menus)."""
    if shortcut is None:
        return []
    if isinstance(shortcut, (list, tuple)):
        return [QKeySequence(text) for text in shortcut]
    if isinstance(shortcut, QKeySequence.StandardKey):
        bindings = list(QKeySequence.keyBindings(shortcut))
        if not bindings and shortcut in _FALLBACK_KEYS:
            bindings = [QKeySequence(_FALLBACK_KEYS[shortcut])]
        for text in _EXTRA_KEYS.get(shortcut, ()):
            if QKeySequence(text) not in bindings:
                bindings.append(QKeySequence(text))
        return bindings
    return [QKeySequence(shortcut)] if shortcut else []


class MainWindow(QMainWindow):
    projectChanged = Signal()

    def __init__(self, path: str | Path | None = None):
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        # Before the fields exist: their polish sets the focus policy.
        self._wheel_guard = wheel_guard.install()
        self.settings = app_settings.open_settings()
        self.dialogs = Dialogs(self)
        self.files = FileActions(self)
        self.undo_stack = QUndoStack(self)
        # Bound methods, not lambdas: Qt drops these connections when the window is
        # destroyed, so the stack's last signals cannot reach a deleted window.
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        # Set by the training integration: asked before edits of the architecture or data
        # (e.g. "stop training?"); returns False to cancel the edit.
        self.training_guard: Callable[[], bool] | None = None
        self.project = Project.default()
        self._selection = 0 if self.project.layers else -1
        self._refreshing = False  # True while the views are being filled from the project

        self._build_docks()
        self._build_actions()
        self._build_scheme_actions()
        self._build_menus()
        self._build_toolbar()
        self._connect_requests()
        self.statusBar().setSizeGripEnabled(True)
        self.autosaver = Autosaver(self, app_settings.data_dir() / "recovery")
        self.resize(DEFAULT_SIZE)

        self._show_project()
        self.training = attach_training(self)
        self.training.controller.stateChanged.connect(self._on_training_state)
        self.autosaver.hold = lambda: self.training.controller.state == RUNNING
        # After the training integration: its run summary comes first, dataset and epoch
        # beside it.
        self.status_state = StatusState(self)
        self._build_view_menu()
        self.status_message(
            "Ready. Drag layers from the palette onto the network, then press Train.", 0
        )
        # The layout before any saved one is applied is what View > Reset Layout returns to.
        self._default_state = self.saveState()
        self._needs_arranging = not self._restore_window_settings()
        if path is not None:
            self.files.open_path(path, ask=False)
        elif self.project.warnings:
            warnings = "\n\n".join(self.project.warnings)
            # The window as context: the call is dropped if the window is gone by then.
            QTimer.singleShot(0, self, lambda: self.dialogs.show_notice("Netbuilder", warnings))

    # --- construction -------------------------------------------------------------------

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setAccessibleName(f"{title} panel")
        dock.toggleViewAction().setToolTip(f"Show or hide the {title.lower()} panel")
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        self.canvas = NetworkCanvas()
        self.setCentralWidget(self.canvas)
        self.palette = LayerPalette()
        self.dataset_panel = DatasetPanel()
        self.training_settings = TrainingSettings()
        self.inspector = LayerInspector()
        self.advisor = AdvisorPanel()
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        # The left column (palette, dataset) runs the full height; the plots below the
        # canvas then share the rest of the width with nothing squeezed.
        self.setCorner(Qt.Corner.BottomLeftCorner, left)
        self.setCorner(Qt.Corner.TopLeftCorner, left)
        self.palette_dock = self._dock("Layers", "paletteDock", self.palette, left)
        self.dataset_dock = self._dock("Dataset", "datasetDock", self.dataset_panel, left)
        # The model-wide settings first, in a dock of their own: below the layer fields they
        # needed scrolling at 1400×900 (#13 item 12).
        self.training_settings_dock = self._dock(
            "Training settings", "trainingSettingsDock", self.training_settings, right
        )
        self.inspector_dock = self._dock("Inspector", "inspectorDock", self.inspector, right)
        self.advisor_dock = self._dock("Advisor", "advisorDock", self.advisor, right)

    # Below this size the window arranges its panels compactly (see _arrange_docks).
    COMPACT_LAYOUT = QSize(1200, 800)

    def is_compact(self) -> bool:
        return (
            self.width() < self.COMPACT_LAYOUT.width()
            or self.height() < self.COMPACT_LAYOUT.height()
        )

    def _arrange_docks(self) -> None:
        """The default panel sizes. Qt applies resizeDocks only to a laid-out window, so this
        runs on the first show (unless a saved layout was restored) and on Reset Layout."""
        if self.is_compact():
            self._arrange_compact()
            return
        horizontal, vertical = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
        right = Qt.DockWidgetArea.RightDockWidgetArea
        # The right column runs the full height: it holds three panels (training settings,
        # inspector, advisor), which did not fit above the plots at 1400×900.
        self.setCorner(Qt.Corner.BottomRightCorner, right)
        self.resizeDocks([self.palette_dock, self.inspector_dock], [250, 285], horizontal)
        self.resizeDocks([self.palette_dock, self.dataset_dock], [300, 560], vertical)
        self.resizeDocks(
            [self.training_settings_dock, self.inspector_dock, self.advisor_dock],
            [300, 285, 165],
            vertical,
        )
        # The training integration's plots share the width under the canvas; the activation
        # panels (one per layer) need the most.
        names = ("plotsDock", "activationDock", "boundaryDock")
        docks = [self.findChild(QDockWidget, name) for name in names]
        if all(dock is not None and dock.isVisible() for dock in docks):
            self.resizeDocks(docks[:1], [280], vertical)
            self.resizeDocks(docks, [185, 480, 185], horizontal)

    def _arrange_compact(self) -> None:
        """Below COMPACT_LAYOUT (down to 1024×700) five side panels in two full columns left
        the canvas ~340 px wide with 5 pt labels (#13 item 16). Here the side panels pair up
        in tabs (Layers | Dataset, Training settings | Inspector), the columns are narrower,
        and the plots run under the right column too."""
        horizontal, vertical = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.palette_dock, self.dataset_dock)
        self.tabifyDockWidget(self.training_settings_dock, self.inspector_dock)
        self.palette_dock.raise_()
        self.training_settings_dock.raise_()
        self.resizeDocks([self.palette_dock, self.training_settings_dock], [225, 265], horizontal)
        self.resizeDocks([self.training_settings_dock, self.advisor_dock], [230, 140], vertical)
        names = ("plotsDock", "activationDock", "boundaryDock")
        docks = [self.findChild(QDockWidget, name) for name in names]
        if all(dock is not None and dock.isVisible() for dock in docks):
            self.resizeDocks(docks[:1], [230], vertical)
            self.resizeDocks(docks, [230, 320, 230], horizontal)

    def _action(
        self,
        text: str,
        slot,
        shortcut=None,
        tip: str = "",
        icon: QStyle.StandardPixmap | str | None = None,
        name: str = "",
    ) -> QAction:
        action = QAction(text, self)
        action.setShortcuts(_key_sequences(shortcut))
        plain = text.replace("&", "").rstrip("…")
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip or plain}" + (f" ({keys})" if keys else ""))
        action.setStatusTip(tip or plain)
        if isinstance(icon, str):  # one of ours, in resources/icons
            action.setIcon(QIcon(str(ICON_PATH.with_name(icon))))
        elif icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        action.setObjectName(name or "action" + "".join(w.capitalize() for w in plain.split()))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        ks = QKeySequence.StandardKey
        f = self.files
        self.new_action = self._action(
            "&New", f.new_project, ks.New, "Start a new project", sp.SP_FileIcon
        )
        self.open_action = self._action(
            "&Open…", f.open_dialog, ks.Open, "Open a project file", sp.SP_DialogOpenButton
        )
        self.save_action = self._action(
            "&Save", f.save, ks.Save, "Save the project", sp.SP_DialogSaveButton
        )
        self.save_as_action = self._action(
            "Save &As…", f.save_as, ks.SaveAs, "Save the project under a new name"
        )
        self.rename_action = self._action(
            "Re&name Project…", self.rename_project, None, "Give the project a new name"
        )
        self.import_action = self._action(
            "&Import Dataset…", self.import_dataset, "Ctrl+I", "Import a CSV file as the dataset"
        )
        self.export_action = self._action(
            "&Export Keras Script…",
            f.export_keras_script,
            "Ctrl+E",
            "Write the network as a Keras script",
        )
        self.export_image_action = self._action(
            "Export I&mage…",
            lambda: image_export.export_image(self),
            "Ctrl+Shift+E",
            "Save the network diagram or a plot as a PNG or SVG image",
        )
        self.quit_action = self._action("&Quit", self.close, ks.Quit, "Quit Netbuilder")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        self.undo_action = self._action(
            "&Undo", self.undo, ks.Undo, "Undo the last edit", "undo.svg"
        )
        self.redo_action = self._action(
            "&Redo", self.redo, ks.Redo, "Redo the undone edit", "redo.svg"
        )
        self.undo_stack.canUndoChanged.connect(self.undo_action.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.undo_stack.undoTextChanged.connect(self._on_undo_text_changed)
        self.undo_stack.redoTextChanged.connect(self._on_redo_text_changed)
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.copy_keras_action = self._action(
            "Copy as &Keras Code",
            f.copy_keras_code,
            "Ctrl+Shift+C",
            "Copy the network as Keras code",
        )
        self.add_layer_action = self._action(
            "&Add Layer",
            self.add_layer,
            "Ctrl+L",
            "Add the palette's selected layer before the output",
            "add-layer.svg",
        )
        # Not the standard Delete key: on X11 its list holds Ctrl+D too, which made
        # Duplicate's Ctrl+D ambiguous (neither action fired).
        self.delete_layer_action = self._action(
            "&Delete Layer",
            self.delete_layer,
            ["Del"],
            "Delete the selected layer",
            "delete-layer.svg",
        )
        self.duplicate_layer_action = self._action(
            "D&uplicate Layer", self.duplicate_layer, "Ctrl+D", "Duplicate the selected layer"
        )
        # Left and right, as the canvas draws the network (input on the left) and as its
        # context menu and Ctrl+arrow keys name them; Alt+Up/Down still work.
        self.move_up_action = self._action(
            "Move Layer &Left",
            lambda: self.move_layer(-1),
            ["Ctrl+Left", "Alt+Up"],
            "Move the selected layer toward the input",
            name="actionMoveLayerUp",
        )
        self.move_down_action = self._action(
            "Move Layer &Right",
            lambda: self.move_layer(1),
            ["Ctrl+Right", "Alt+Down"],
            "Move the selected layer toward the output",
            name="actionMoveLayerDown",
        )

        self.reset_layout_action = self._action(
            "&Reset Layout", self.reset_layout, None, "Put every panel back where it started"
        )
        self.about_action = self._action(
            "&About Netbuilder", self.show_about, None, "About Netbuilder"
        )
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.shortcuts_action = self._action(
            "&Keyboard Shortcuts", self.show_shortcuts, "Ctrl+/", "List the keyboard shortcuts"
        )
        self.activations_help_action = self._action(
            "&Choosing Activations",
            self.show_activation_help,
            ks.HelpContents,
            "The course's advice on activations",
        )

    def _build_scheme_actions(self) -> None:
        """View ▸ Colour Scheme: follow the system, or always light, or always dark."""
        self.scheme_menu = QMenu("&Colour Scheme", self)
        self.scheme_menu.setObjectName("schemeMenu")
        group = QActionGroup(self)
        group.setExclusive(True)
        self.scheme_actions: dict[str, QAction] = {}
        for choice, text in (
            ("system", "Follow the &System"),
            ("light", "&Light"),
            ("dark", "&Dark"),
        ):
            action = self.scheme_menu.addAction(text)
            action.setObjectName(f"actionScheme{choice.capitalize()}")
            action.setCheckable(True)
            action.setStatusTip(f"Colour scheme: {text.replace('&', '').lower()}")
            action.triggered.connect(lambda _=False, c=choice: self.set_colour_scheme(c))
            group.addAction(action)
            self.scheme_actions[choice] = action
        saved = str(self.settings.value(theme.SCHEME_KEY, "system"))
        self.colour_scheme = saved if saved in theme.SCHEMES else "system"
        self.scheme_actions[self.colour_scheme].setChecked(True)
        # A saved light/dark choice or a dark system: apply it. A light system needs nothing,
        # which leaves the platform's own palette alone.
        if self.colour_scheme != "system" or theme.system_is_dark():
            theme.apply_scheme(QApplication.instance(), self.colour_scheme)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_scheme)

    def set_colour_scheme(self, choice: str) -> None:
        """Apply and remember "system", "light" or "dark"."""
        self.colour_scheme = choice if choice in theme.SCHEMES else "system"
        self.scheme_actions[self.colour_scheme].setChecked(True)
        self.settings.setValue(theme.SCHEME_KEY, self.colour_scheme)
        theme.apply_scheme(QApplication.instance(), self.colour_scheme)

    def _on_system_scheme(self, _scheme) -> None:
        if self.colour_scheme == "system":
            theme.apply_scheme(QApplication.instance(), "system")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.save_action, self.save_as_action, self.rename_action])
        file_menu.addSeparator()
        file_menu.addActions([self.import_action, self.export_action, self.export_image_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions(
            [self.add_layer_action, self.duplicate_layer_action, self.delete_layer_action]
        )
        edit_menu.addActions([self.move_up_action, self.move_down_action])
        edit_menu.addSeparator()
        edit_menu.addAction(self.copy_keras_action)

        self.view_menu = bar.addMenu("&View")

        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.activations_help_action, self.shortcuts_action])
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main", self)
        bar.setObjectName("mainToolBar")
        bar.setAccessibleName("Main toolbar")
        bar.setIconSize(QSize(20, 20))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addActions([self.new_action, self.open_action, self.save_action])
        bar.addSeparator()
        bar.addActions([self.undo_action, self.redo_action])
        bar.addSeparator()
        bar.addActions([self.add_layer_action, self.delete_layer_action])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.main_toolbar = bar
        # Its width with the button texts (see _fit_toolbars), known once it has shown them.
        self._toolbar_text_width = 0

    def _build_view_menu(self) -> None:
        """Called after the training integration added its docks, so every dock is listed."""
        self.view_menu.clear()
        for dock in self.findChildren(QDockWidget):
            self.view_menu.addAction(dock.toggleViewAction())
        self.view_menu.addSeparator()
        for bar in self.findChildren(QToolBar):
            self.view_menu.addAction(bar.toggleViewAction())
        self.view_menu.addSeparator()
        self.view_menu.addMenu(self.scheme_menu)
        self.view_menu.addAction(self.reset_layout_action)

    def _connect_requests(self) -> None:
        c = self.canvas
        c.layerInsertRequested.connect(
            lambda i, act: self.push(commands.insert_layer(self, i, act))
        )
        c.layerMoveRequested.connect(lambda a, b: self.push(commands.move_layer(self, a, b)))
        c.layerDeleteRequested.connect(self.delete_layer)
        c.layerDuplicateRequested.connect(self.duplicate_layer)
        c.layerUnitsChangeRequested.connect(
            lambda i, n: self.push(commands.set_layer_field(self, i, "units", n))
        )
        c.layerActivationChangeRequested.connect(
            lambda i, act: self.push(commands.set_layer_field(self, i, "activation", act))
        )
        c.layerSelected.connect(self._on_layer_selected)
        self.palette.addLayerRequested.connect(self.add_layer)
        self.dataset_panel.datasetChangeRequested.connect(
            lambda source, data: self.push(commands.change_dataset(self, source, data))
        )
        self.dataset_panel.scalingChangeRequested.connect(
            lambda kind: self.push(commands.change_scaling(self, kind))
        )
        self.inspector.layerFieldChanged.connect(
            lambda i, field, value: self.push(commands.set_layer_field(self, i, field, value))
        )
        self.training_settings.specFieldChanged.connect(
            lambda spec, field, value: self.push(commands.set_spec_field(self, spec, field, value))
        )
        self.advisor.fixRequested.connect(
            lambda label, apply: self.push(
                commands.ProjectCommand(self, label, apply, structural=True)
            )
        )

    # --- the document -------------------------------------------------------------------

    def push(self, command: QUndoCommand) -> bool:
        """Apply `command` and put it on the undo stack. Returns False when the training
        guard declined it or the edit was impossible (the status bar says why)."""
        if getattr(command, "structural", False) and not self._guard_allows():
            self._refresh_views()  # put the control that asked back to the project's value
            return False
        if isinstance(command, commands.ProjectCommand):
            try:
                command.prepare()
            except (EngineError, ValueError, IndexError) as exc:
                self.status_message(f"{command.text()}: {exc}")
                self._refresh_views()  # put controls back to the project's values
                return False
        self.undo_stack.push(command)
        return True

    def undo(self) -> None:
        if self.undo_stack.canUndo() and self._guard_allows_stack_step(-1):
            self.undo_stack.undo()

    def redo(self) -> None:
        if self.undo_stack.canRedo() and self._guard_allows_stack_step(0):
            self.undo_stack.redo()

    def _guard_allows_stack_step(self, offset: int) -> bool:
        command = self.undo_stack.command(self.undo_stack.index() + offset)
        return not getattr(command, "structural", False) or self._guard_allows()

    def _guard_allows(self) -> bool:
        return self.training_guard is None or bool(self.training_guard())

    def training_allows_edit(self) -> bool:
        """Ask the training guard (if any) whether the project may change under it."""
        return self._guard_allows()

    def record_run(
        self, outcome, scaler_config, base_history: dict, base_epochs: int, snapshots=None
    ) -> None:
        """Store a training run's outcome (engine.project.RunOutcome) as ONE undoable step;
        base_history/base_epochs: the project's history when the run started; snapshots:
        the run's per-epoch weights (epoch -> weights), or None."""
        self.push(
            commands.record_run(
                self, outcome, scaler_config, base_history, base_epochs, snapshots=snapshots
            )
        )

    def reset_weights(self, weights) -> None:
        """Start again from fresh initial weights, as one undoable step."""
        self.push(commands.reset_weights(self, weights))

    def set_project(self, project: Project) -> None:
        """Replace the document (open/new/restore): the undo history starts afresh."""
        self.project = project
        self._selection = 0 if project.layers else -1
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._show_project()

    def current_selection(self) -> int:
        return self._selection

    def project_edited(self, selection: int) -> None:
        """Called by commands after redo/undo changed the project."""
        self._selection = selection
        self._show_project()

    def _show_project(self) -> None:
        """Show the (changed) project everywhere and tell listeners: projectChanged."""
        self._refresh_views()
        self.projectChanged.emit()

    def _refresh_views(self) -> None:
        project = self.project
        if not -1 <= self._selection < len(project.layers):
            self._selection = len(project.layers) - 1
        self._refreshing = True
        try:
            self.canvas.set_project(project)
            self.canvas.select_layer(self._selection)
        finally:
            self._refreshing = False
        self.dataset_panel.set_project(project)
        self.inspector.set_project(project, self._selection)
        self.training_settings.set_project(project)
        self.advisor.set_project(project)
        self.update_title()
        self._update_layer_actions()

    def _on_layer_selected(self, index: int) -> None:
        if self._refreshing:
            return
        self._selection = index
        self.inspector.set_project(self.project, index)
        self._update_layer_actions()

    def _update_layer_actions(self) -> None:
        n, sel = len(self.project.layers), self._selection
        has = 0 <= sel < n
        self.delete_layer_action.setEnabled(has and n > 1)
        self.duplicate_layer_action.setEnabled(has)
        self.move_up_action.setEnabled(has and sel > 0)
        self.move_down_action.setEnabled(has and sel < n - 1)

    def _on_training_state(self, state: str) -> None:
        # While a run trains, no Python filter sees every event of the application (each
        # would take the GIL from the training thread); the fields keep their own guard.
        if self._wheel_guard is not None:
            self._wheel_guard.quiet(self, state == RUNNING)
        if state == RUNNING:  # before the worker starts (see SAVE_BEFORE_RUN_S)
            self.autosaver.wait(SAVE_BEFORE_RUN_S)
        elif state in (IDLE, PAUSED):  # (not STOPPING: the result is recorded after it)
            self.autosaver.resume()  # a save the run held back, with the run's result in it

    def _on_clean_changed(self, _clean: bool) -> None:
        self.update_title()

    def _on_undo_text_changed(self, text: str) -> None:
        self._name_step(self.undo_action, "Undo", text)

    def _on_redo_text_changed(self, text: str) -> None:
        self._name_step(self.redo_action, "Redo", text)

    @staticmethod
    def _name_step(action: QAction, verb: str, step: str) -> None:
        """Menu: "Undo Change units"; toolbar: a steady "Undo" (its width never jumps)."""
        action.setText(f"&{verb} {step}" if step else f"&{verb}")
        action.setIconText(verb)
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{verb} {step} ({keys})" if step else f"Nothing to {verb.lower()}")

    def update_title(self) -> None:
        self.setWindowTitle(f"Netbuilder — {self.project.name}[*]")
        self.setWindowModified(not self.undo_stack.isClean())

    def status_message(self, text: str, timeout_ms: int = 6000) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def busy(self, message: str):
        """A context manager: the status bar shows `message` and a busy bar meanwhile."""
        return self.status_state.busy(message)

    # --- layer edits (menu, toolbar, palette, canvas) -------------------------------------

    def add_layer(self, activation: str | None = None) -> bool:
        """Insert a hidden layer before the output layer (the palette's selected preset)."""
        activation = activation or self.palette.current_activation() or "relu"
        index = max(0, len(self.project.layers) - 1)
        return self.push(commands.insert_layer(self, index, activation))

    def delete_layer(self, index: int | None = None) -> bool:
        index = self._selection if index is None else index
        if not 0 <= index < len(self.project.layers):
            return False
        if len(self.project.layers) <= 1:
            self.status_message("The network needs at least one layer: the output layer.")
            return False
        return self.push(commands.delete_layer(self, index))

    def duplicate_layer(self, index: int | None = None) -> bool:
        index = self._selection if index is None else index
        if not 0 <= index < len(self.project.layers):
            return False
        return self.push(commands.duplicate_layer(self, index))

    def move_layer(self, step: int) -> bool:
        index, target = self._selection, self._selection + step
        if not (0 <= index < len(self.project.layers) and 0 <= target < len(self.project.layers)):
            return False
        return self.push(commands.move_layer(self, index, target))

    def rename_project(self, name: str | None = None) -> bool:
        """Rename the project (asks for the name when none is given), one undo step."""
        if name is None:
            name = self.dialogs.ask_project_name(self.project.name)
        if not name or name.strip() == self.project.name:
            return False
        return self.push(commands.rename_project(self, name))

    def import_dataset(self) -> None:
        self.dataset_dock.show()
        self.dataset_dock.raise_()
        self.dataset_panel.open_import_dialog()

    # --- layout and settings ------------------------------------------------------------

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)
        for dock in self.findChildren(QDockWidget):
            dock.setFloating(False)
            dock.show()
        self._arrange_docks()

    def _restore_window_settings(self) -> bool:
        """Apply the saved geometry and dock layout; True if a dock layout was restored."""
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        return isinstance(state, QByteArray) and self.restoreState(state)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_toolbars()

    def _fit_toolbars(self) -> None:
        """The main toolbar shows icons only (the tooltips keep the names) when, with text,
        the toolbars along the top would not fit: at 1366 px (a common laptop) the speed went
        behind the overflow arrow with a fixed 1300-px limit. Measured, not a constant, so a
        larger font or another style moves the limit with it."""
        bar = self.main_toolbar
        text = Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        if bar.toolButtonStyle() == text:
            self._toolbar_text_width = bar.sizeHint().width()
        others = sum(
            other.sizeHint().width()
            for other in self.findChildren(QToolBar)
            if other is not bar
            and not other.isHidden()
            and self.toolBarArea(other) == Qt.ToolBarArea.TopToolBarArea
        )
        needed = self._toolbar_text_width + others + 16  # the handles
        style = Qt.ToolButtonStyle.ToolButtonIconOnly if self.width() < needed else text
        if bar.toolButtonStyle() != style:
            bar.setToolButtonStyle(style)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._fit_toolbars()  # the toolbars added since the last resize count too
        if self._needs_arranging:
            self._needs_arranging = False
            self._arrange_docks()

    def save_window_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = app_settings.recent_files(self.settings)
        for number, path in enumerate(files, start=1):
            action = self.recent_menu.addAction(f"&{number} {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.files.open_path(p))
        if not files:
            empty = self.recent_menu.addAction("No recent projects")
            empty.setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            clear = self.recent_menu.addAction("Clear Menu")
            clear.triggered.connect(lambda: self.settings.setValue("recentFiles", []))

    def offer_recovery(self) -> bool:
        """At start-up: if an autosave is newer than the last save, offer to restore it."""
        recovery = self.autosaver.pending()
        if recovery is None:
            return False
        original = str(recovery.original) if recovery.original else None
        if not self.dialogs.ask_restore_recovery(recovery.name, original):
            self.autosaver.discard_recovery(recovery)
            return False
        try:
            project = self.autosaver.load(recovery)
        except (EngineError, OSError) as exc:
            self.dialogs.show_error(
                "Could not restore", f"The autosaved copy could not be opened:\n\n{exc}"
            )
            return False
        self.set_project(project)
        # Restored work is unsaved work: mark it modified until it is saved.
        self.undo_stack.resetClean()
        self.update_title()
        # The work now lives in this instance: its own recovery file keeps it safe, and the
        # orphan goes (or the next start would offer it again).
        if self.autosaver.save_now():
            self.autosaver.discard_recovery(recovery)
        self.status_message("Restored the autosaved project. Save it to keep it.")
        return True

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.files.maybe_save():
            event.ignore()
            return
        self.save_window_settings()
        self.autosaver.timer.stop()
        self.autosaver.discard()
        self.autosaver.release()
        event.accept()

    # --- help ---------------------------------------------------------------------------

    def show_about(self) -> None:
        help_dialogs.show_about(self, version())

    def show_activation_help(self) -> None:
        help_dialogs.show_activation_help(self)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(action, shortcuts) for every window action that has a shortcut. The icon text
        names the command ("Undo"), not the step it would undo now; every binding is
        listed ("Ctrl+Shift+Z, Ctrl+Y")."""
        native = QKeySequence.SequenceFormat.NativeText
        rows = []
        for action in self.actions():
            # Platform extras for keys few keyboards have (Sun's Undo, F14, Open, Help) are
            # noise in a list people read: keep the keys up to F12.
            keys = [
                k.toString(native)
                for k in action.shortcuts()
                if not k.isEmpty() and k[0].key().value <= Qt.Key.Key_F12.value
            ]
            if keys:
                rows.append((action.iconText().replace("&", "").rstrip("…"), ", ".join(keys)))
        return rows

    def show_shortcuts(self) -> None:
        help_dialogs.show_shortcuts(self, self.shortcut_rows())


def run(path: str | Path | None = None) -> int:
    """Create the application, show the main window (opening `path` if given), run."""
    paint_on_the_gui_thread()  # before the first paint, which is when Qt reads it
    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName(app_settings.ORGANIZATION)
    app.setApplicationName(app_settings.APPLICATION)
    # No setApplicationDisplayName: on X11 and Windows Qt appends it to every window title,
    # which would read "Netbuilder — name — Netbuilder".
    app.setWindowIcon(app_icon())
    window = MainWindow(path)
    window.show()
    QTimer.singleShot(0, window, window.offer_recovery)
    return app.exec()
