"""attach_runs_panel(panel): the runs panel (issue 14) in the window, in one call from the
training integration: a "Runs" dock tabbed beside the activation panels, its requests turned
into undo commands (app/run_commands.py), and the ticked runs' curves drawn over the cost
plot (app/plots/run_overlays.py), all following the project on every projectChanged."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMessageBox

from app import run_commands
from app.plots.run_overlays import RunOverlays
from app.training import run_rows
from app.training.controller import IDLE
from app.training.runs_panel import RunsPanel
from engine.project import runs as project_runs


def ask_restore_over_changes(parent, run_name: str) -> bool:
    """Asked before a restore replaces work that is in no run (the network was edited since
    its last training). Module-level so tests can answer it. True: restore."""
    answer = QMessageBox.question(
        parent,
        "Restore run?",
        f"The network has changes that are not in any run. Restoring “{run_name}” replaces "
        "them with its settings and weights (Edit ▸ Undo brings them back).\n\nRestore it?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes


def work_outside_runs(window) -> bool:
    """True when restoring would replace unsaved work no run holds: the project was changed
    since it was saved, and its network, settings or epochs are not its current run's."""
    project = window.project
    if window.undo_stack.isClean():
        return False
    current = project_runs.current_run(project)
    return current is None or not (
        project_runs.same_settings(current, project) and current.epochs == project.epochs_trained
    )


class RunsDock(QObject):
    def __init__(self, panel):
        super().__init__(panel)
        self.window = window = panel.window
        self.controller = panel.controller
        self.runs_panel = RunsPanel()
        self.dock = QDockWidget("Runs", window)
        self.dock.setObjectName("runsDock")
        self.dock.setWidget(self.runs_panel)
        self.dock.setAccessibleName("Runs panel")
        self.dock.toggleViewAction().setToolTip("Show or hide the runs panel")
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        neighbour = window.findChild(QDockWidget, "activationDock")
        if neighbour is not None:
            # A tab beside the activation panels: the Cost plot, where the ticked runs are
            # drawn, stays in view beside it.
            window.tabifyDockWidget(neighbour, self.dock)
            neighbour.raise_()
        self.overlays = RunOverlays(panel.cost_plot)

        p = self.runs_panel
        p.showRequested.connect(lambda run_id, on: self._push(run_commands.show_run, run_id, on))
        p.renameRequested.connect(
            lambda run_id, name: self._push(run_commands.rename_run, run_id, name)
        )
        p.deleteRequested.connect(lambda run_id: self._push(run_commands.delete_run, run_id))
        p.restoreRequested.connect(self.restore)
        c = self.controller
        c.stateChanged.connect(lambda _state: self.refresh())
        # The cost plot takes a new history first (connected earlier); then the runs' metric
        # curves follow it if it now shows another metric. O(1) when it does not.
        c.historyReset.connect(lambda _history: self.overlays.follow_metric())
        c.historyAppended.connect(lambda _logs, _first: self.overlays.follow_metric())
        if hasattr(window, "projectChanged"):
            window.projectChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Show the project's runs, and draw the ticked ones: on every projectChanged (an
        edit, undo, open, a run recorded) and training state, never per epoch."""
        project = self.window.project
        colours = {
            run.id: run_rows.RUN_COLOURS[number]
            for run in project.runs
            if (number := run_rows.colour_numbers(project).get(run.id)) is not None
        }
        self.runs_panel.set_runs(
            project.runs,
            project.current_run,
            set(run_rows.shown_runs(project)),
            colours,
            training=self.controller.state != IDLE,
        )
        self.overlays.show(run_rows.overlay_runs(project), project.compile.metrics)

    def _push(self, make, *args) -> bool:
        done = self.window.push(make(self.window, *args))
        if not done:
            self.refresh()  # put the row back as the project has it (a refused name)
        return done

    def restore(self, run_id: str) -> bool:
        """Restore the run as one undo step; off while training, and asked first only when
        it would replace work that is in no run."""
        if self.controller.state != IDLE:
            self.window.status_message("Stop training to restore a run.")
            return False
        try:
            _index, run = project_runs.find_run(self.window.project, run_id)
        except ValueError as exc:
            self.window.status_message(str(exc))
            return False
        if work_outside_runs(self.window) and not ask_restore_over_changes(self.window, run.name):
            return False
        if not self._push(run_commands.restore_run, run_id):
            return False
        self.window.status_message(f"Restored run “{run.name}”: its settings and weights.")
        return True


def attach_runs_panel(panel) -> RunsDock:
    """Call once from the training integration, after its cost plot and docks exist."""
    return RunsDock(panel)
