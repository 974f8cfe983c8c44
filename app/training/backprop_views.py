"""attach_backprop_views(panel): the views that make backprop visible (issue #15), added to
the window by the training integration in one call: the sample inspector dock and the
gradient plot dock, wired to the controller's snapshots, the project and point clicks."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget

from app.training.sample_inspector import SampleInspector, clickable_points, nearest_row


class BackpropViews(QObject):
    def __init__(self, panel):
        super().__init__(panel)
        self.panel = panel
        window = panel.window
        self.window = window
        self.sample_inspector = SampleInspector()
        self.sample_dock = self._dock("Sample", "sampleInspector", self.sample_inspector,
                                      Qt.DockWidgetArea.BottomDockWidgetArea,
                                      beside="activationDock")
        c = panel.controller
        c.weightsUpdated.connect(self.sample_inspector.set_weights)
        if hasattr(window, "projectChanged"):
            window.projectChanged.connect(self._on_project_changed)
        self._on_project_changed()
        # A click on a data point picks that row. The plots are not told about it: the
        # scene's click signal is enough, and their code stays theirs.
        boundary = panel.boundary_plot
        boundary.plot.scene().sigMouseClicked.connect(
            lambda event: self._clicked(event, boundary.plot, boundary.kind))
        preview = getattr(getattr(window, "dataset_panel", None), "preview_plot", None)
        if preview is not None:
            preview.scene().sigMouseClicked.connect(
                lambda event: self._clicked(event, preview, "preview"))

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
