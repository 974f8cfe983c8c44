"""Other runs' curves over the cost plot, so a learner sees two choices side by side.

Each run is drawn in its own colour, training solid and validation dashed, behind the live
curves (the current run, blue and orange), and named in the plot's key. A run's curves are
drawn once, when it is ticked: runs never change (engine.project.runs), so nothing here runs
while training, apart from a check that the metric plot still shows the same metric.

    overlays = RunOverlays(cost_plot)
    overlays.show([(run, (148, 103, 189)), ...])   # exactly these runs, in this order
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from app.plots.cost_plot import CostPlot, legend_html
from engine.project.runs import Run

# The key names a run in at most this many characters (the row's tooltip has the rest).
KEY_NAME_LENGTH = 20
# Behind the live curves, which stay the ones a person watches.
OVERLAY_Z = -10


def extent(values: np.ndarray) -> np.ndarray:
    """The smallest, smallest positive and largest finite value (NaN where there is none):
    all CostPlot.set_overlay_extent needs to fit a linear or log axis to the curve."""
    finite = values[np.isfinite(values)]
    positive = finite[finite > 0]
    if not finite.size:
        return np.array([np.nan, np.nan, np.nan])
    low_positive = positive.min() if positive.size else np.nan
    return np.array([finite.min(), low_positive, finite.max()])


@dataclass
class _Drawn:
    run: Run
    colour: tuple[int, int, int]
    metric: str | None  # the metric its metric curves show (the cost plot's when drawn)
    curves: dict[str, pg.PlotDataItem] = field(default_factory=dict)


class RunOverlays:
    """The curves of the runs passed to show(), on `cost_plot`'s loss and metric plots."""

    def __init__(self, cost_plot: CostPlot):
        self.cost_plot = cost_plot
        self._drawn: dict[str, _Drawn] = {}
        self._key_tip = cost_plot.key.toolTip()
        self._shown: list[tuple] = []  # what the key and the axes were last set for
        self._metrics: list[str] = []  # the project's metric names (show())

    # ----- what is shown -----------------------------------------------------------------
    def show(self, runs: list[tuple[Run, tuple[int, int, int]]], metrics=()) -> None:
        """Draw exactly `runs` ((run, colour) pairs): new ones are drawn, gone ones removed,
        and runs drawn already stay as they are (a renamed run only changes its key).
        metrics: the metric names the project trains with (its compile metrics); the runs'
        metric curves show the one the cost plot shows, or will once it trains."""
        self._metrics = list(metrics)
        wanted = {run.id: (run, tuple(colour)) for run, colour in runs}
        for run_id in [i for i in self._drawn if i not in wanted]:
            self._remove(run_id)
        metric = self._metric(bool(wanted))
        drawn = {}
        for run_id, (run, colour) in wanted.items():
            old = self._drawn.pop(run_id, None)
            if old is not None and old.colour == colour and old.run.history is run.history:
                old.run = run  # the same curves (a rename makes a new Run, same history)
                drawn[run_id] = old
                continue
            if old is not None:
                self._remove_curves(old)
            drawn[run_id] = self._draw(run, colour, metric)
        self._drawn = drawn
        self._redraw_metric_curves(metric)
        self._update_key_and_axes()

    def follow_metric(self) -> None:
        """After the cost plot's history changed (a new run, an undo): when it now shows
        another metric (a project of another task), redraw the runs' metric curves.
        Cheap when nothing changed: it runs with every new epoch."""
        if all(drawn.metric == self.cost_plot.metric for drawn in self._drawn.values()):
            return
        self._redraw_metric_curves(self._metric())
        self._update_key_and_axes()

    def _redraw_metric_curves(self, metric: str | None) -> None:
        """Show `metric` in the metric curves of every run drawn with another one."""
        for drawn in self._drawn.values():
            if drawn.metric == metric:
                continue
            for name in ("metric", "val_metric"):
                curve = drawn.curves.pop(name, None)
                if curve is not None:
                    self.cost_plot.metric_plot.removeItem(curve)
            drawn.metric = metric
            self._draw_metric(drawn)

    @property
    def run_ids(self) -> list[str]:
        """The runs drawn, in order."""
        return list(self._drawn)

    def curve_data(self, run_id: str, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The plotted (x, y) of run `run_id`'s curve "loss", "val_loss", "metric" or
        "val_metric" (empty arrays when it has none)."""
        drawn = self._drawn.get(run_id)
        curve = drawn.curves.get(name) if drawn is not None else None
        if curve is None:
            return np.zeros(0), np.zeros(0)
        x, y = curve.getOriginalDataset()
        return np.asarray(x), np.asarray(y)

    def curves_of(self, run_id: str) -> list[pg.PlotDataItem]:
        drawn = self._drawn.get(run_id)
        return list(drawn.curves.values()) if drawn is not None else []

    # ----- drawing -----------------------------------------------------------------------
    def _metric(self, runs_shown: bool = True) -> str | None:
        """The metric the cost plot shows. Before it shows any (no history yet, after a
        Reset) it takes up the project's own, as a training would at its start, so the runs'
        metric curves are seen; a project without a metric (a regression) shows none."""
        if self.cost_plot.metric is None and runs_shown and self._metrics:
            self.cost_plot.expect_metrics(self._metrics)
        return self.cost_plot.metric

    def _draw(self, run: Run, colour: tuple[int, int, int], metric: str | None) -> _Drawn:
        drawn = _Drawn(run, colour, metric)
        for key in ("loss", "val_loss"):
            self._add_curve(drawn, self.cost_plot.loss_plot, key, key)
        self._draw_metric(drawn)
        return drawn

    def _draw_metric(self, drawn: _Drawn) -> None:
        if drawn.metric is None:
            return
        for name, key in (("metric", drawn.metric), ("val_metric", f"val_{drawn.metric}")):
            self._add_curve(drawn, self.cost_plot.metric_plot, name, key)

    def _add_curve(self, drawn: _Drawn, plot: pg.PlotWidget, name: str, key: str) -> None:
        values = drawn.run.history.get(key)
        if not values:
            return
        style = Qt.PenStyle.DashLine if name.startswith("val_") else Qt.PenStyle.SolidLine
        # One pixel like the live curves: repainted with them at every frame of a run.
        pen = pg.mkPen(color=drawn.colour, width=1, style=style)
        y = np.asarray(values, dtype=np.float64)
        curve = pg.PlotDataItem(
            np.arange(1, len(y) + 1, dtype=np.float64), y, pen=pen, connect="finite"
        )
        curve.setZValue(OVERLAY_Z)
        plot.addItem(curve)
        # Once in the plot: clipping before it has a view box looks for one it cannot have.
        curve.setDownsampling(auto=True, method="peak")
        curve.setClipToView(True)
        drawn.curves[name] = curve

    def _remove(self, run_id: str) -> None:
        self._remove_curves(self._drawn.pop(run_id))

    def _remove_curves(self, drawn: _Drawn) -> None:
        for name, curve in drawn.curves.items():
            plot = self.cost_plot.loss_plot if "loss" in name else self.cost_plot.metric_plot
            plot.removeItem(curve)
        drawn.curves.clear()

    def _update_key_and_axes(self) -> None:
        """The key above the plots names each run in its colour; the axes take its curves in.
        Only when that changed: the cost plot refits its axes, which a training in progress
        should not see for an unrelated edit (a learning rate changed mid-run)."""
        shown = [
            (d.run.id, d.run.name, id(d.run.history), d.colour, d.metric, tuple(d.curves))
            for d in self._drawn.values()
        ]
        if shown == self._shown:
            return
        self._shown = shown
        key = self.cost_plot.key
        key.setText(legend_html() + "".join(map(_key_entry, self._drawn.values())))
        tip = self._key_tip
        if self._drawn:
            names = "\n".join(f"  {drawn.run.name}" for drawn in self._drawn.values())
            tip += f".\nOther runs, in their colours (training solid, validation dashed):\n{names}"
        key.setToolTip(tip)
        loss, metric, epochs = [], [], 0
        for drawn in self._drawn.values():
            for name, curve in drawn.curves.items():
                x, y = curve.getOriginalDataset()
                (loss if "loss" in name else metric).append(extent(np.asarray(y)))
                epochs = max(epochs, len(x))
        self.cost_plot.set_overlay_extent(epochs, loss, metric)


def _key_entry(drawn: _Drawn) -> str:
    """ "── name" in the run's colour (its validation curve is the dashed one)."""
    name = drawn.run.name
    if len(name) > KEY_NAME_LENGTH:
        name = name[: KEY_NAME_LENGTH - 1] + "…"
    colour = pg.mkColor(drawn.colour).name()
    return (
        f'&nbsp;&nbsp; <span style="color:{colour}; font-weight:bold">&#9472;&#9472;</span>'
        # Non-breaking spaces: a narrow key wraps between runs, not inside a name.
        f'&nbsp;<span style="color:{colour}">{html.escape(name).replace(" ", "&nbsp;")}</span>'
    )
