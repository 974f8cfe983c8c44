"""attach_backprop_views(panel): the views that make backprop visible (issue #15), added to
the window by the training integration in one call: the sample inspector dock and the
gradient plot dock, wired to the controller's snapshots, the project and point clicks."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget

from app.plots.gradient_plot import GradientPlot
from app.training.controller import IDLE, RUNNING
from app.training.prepare import layer_activations
from app.training.sample_inspector import (
    SampleInspector,
    clickable_points,
    nearest_row,
)
from app.visibility import on_screen
from engine.gradient_stats import GradientStats

# The views' names among the controller's live views
GRADIENTS = "gradients"
SAMPLE = "sample"


class BackpropViews(QObject):
    def __init__(self, panel):
        super().__init__(panel)
        self.panel = panel
        window = panel.window
        self.window = window
        self.sample_inspector = SampleInspector()
        self.sample_dock = self._dock(
            "Sample",
            "sampleInspector",
            self.sample_inspector,
            Qt.DockWidgetArea.BottomDockWidgetArea,
            beside="activationDock",
        )
        self.gradient_plot = GradientPlot()
        self.gradient_dock = self._dock(
            "Gradients",
            "gradientDock",
            self.gradient_plot,
            Qt.DockWidgetArea.BottomDockWidgetArea,
            beside="activationDock",
        )
        self.stats: GradientStats | None = None  # the running (or last) run's statistics
        self.sample_dock.visibilityChanged.connect(self.sample_inspector.on_shown)
        c = panel.controller
        c.weightsUpdated.connect(self.sample_inspector.set_weights)
        c.run_callbacks.append(self._stats_for_run)
        c.stateChanged.connect(self._on_state)
        c.add_live_view(
            GRADIENTS,
            self._gradients_ready,
            self._draw_gradients,
            widget=self.gradient_plot,
        )
        inspector = self.sample_inspector
        c.add_live_view(
            SAMPLE,
            inspector.wants_frame,
            inspector.show_pending,
            widget=inspector,
        )
        c.runFinished.connect(lambda _result: self._on_run_finished())
        if hasattr(window, "projectChanged"):
            window.projectChanged.connect(self._on_project_changed)
        self._on_project_changed()
        # A click on a data point picks that row. The plots are not told about it: the
        # scene's click signal is enough, and their code stays theirs.
        boundary = panel.boundary_plot
        boundary.plot.scene().sigMouseClicked.connect(
            lambda event: self._clicked(event, boundary.plot, boundary.kind)
        )
        preview = getattr(getattr(window, "dataset_panel", None), "preview_plot", None)
        if preview is not None:
            preview.scene().sigMouseClicked.connect(
                lambda event: self._clicked(event, preview, "preview")
            )

    def _dock(self, title: str, name: str, widget, area, beside: str) -> QDockWidget:
        w = self.window
        dock = QDockWidget(title, w)
        dock.setObjectName(name)
        dock.setWidget(widget)
        w.addDockWidget(area, dock)
        neighbour = w.findChild(QDockWidget, beside)
        if neighbour is not None:
            # A tab beside an existing panel: the window's layout stays as it was, and the
            # view costs nothing until its tab is chosen.
            w.tabifyDockWidget(neighbour, dock)
            neighbour.raise_()
        return dock

    # ----- gradients ------------------------------------------------------------------------
    def _stats_for_run(self) -> GradientStats | None:
        """Gradient statistics cost the run a little every epoch: only when they are seen."""
        return GradientStats() if on_screen(self.gradient_plot) else None

    def _on_state(self, state: str) -> None:
        worker = self.panel.controller.worker
        self.sample_inspector.set_live(state != IDLE)
        if state != RUNNING or worker is None:
            return
        stats = next((cb for cb in worker.extra_callbacks if isinstance(cb, GradientStats)), None)
        if stats is not None and stats is not self.stats:
            self.stats = stats
            self.gradient_plot.set_layers(layer_activations(self.window.project))
            spec = worker.spec
            self.gradient_plot.expect_epochs(spec.initial_epoch, spec.initial_epoch + spec.epochs)

    def _gradients_ready(self) -> bool:
        # (whether it is on screen, the controller asks: the widget is watched)
        return self.stats is not None and self.gradient_plot.has_new(self.stats)

    def _draw_gradients(self) -> None:
        """Plot the records the run added since the last draw. During a run this is a stage
        of the controller's frames: the worker stands aside, and the window paints the plot
        with the stage, so its whole cost is measured and paced (painted later, outside the
        stage, it fought the worker for the GIL: the window fell to ~50% of headless)."""
        if self.stats is not None and self.gradient_plot.update_from(self.stats):
            self.gradient_plot.prepare_paint()

    def _on_run_finished(self) -> None:
        self._draw_gradients()
        self.gradient_plot.expect_epochs(None)  # the axes fit the whole run

    def _on_project_changed(self) -> None:
        self.sample_inspector.set_project(getattr(self.window, "project", None))

    def _clicked(self, event, plot, view: str) -> bool:
        """Pick the dataset row nearest the clicked point (in the plot's own axes)."""
        project = getattr(self.window, "project", None)
        points = clickable_points(getattr(project, "dataset", None), view)
        if points is None or event.button() != Qt.MouseButton.LeftButton:
            return False
        position = plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        row = nearest_row(points, position.x(), position.y())
        if row is None:
            return False
        self.sample_inspector.select_row(row)
        return True


def attach_backprop_views(panel) -> BackpropViews:
    """Call once from the training integration, after its own docks exist."""
    return BackpropViews(panel)
