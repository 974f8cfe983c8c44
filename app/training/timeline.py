"""The training timeline: an epoch scrubber along the bottom of the window, and "Continue from
here".

attach_timeline(panel) adds a "Timeline" toolbar under the plots (the whole width of the
window, so a long run still has a pixel or more per snapshot): the scrubber (a QSlider whose
value is the epoch, objectName "epochScrubber"), what it shows ("epoch 40 of 300" or "live"),
and a "Continue from here" button for the restoreEpochAction.

Dragging the scrubber (or, when it has the focus, the arrow keys, Page Up/Down, Home and End)
shows the network as it was after that epoch: the canvas weights, the activation panels, the
output view, and a mark on the cost plot. The weights come from the per-epoch snapshots: the
project's, and while a run goes on, its keeper's (engine/snapshot_keeper.py, read live from
the GUI thread). The views are computed as the controller computes them (compute_views) at
most ~30 times per second. The maximum of the scrubber is "live": while it is anywhere else,
the run's frames leave the weight and output views alone (TrainingController.hold_views);
back at the end, they follow the run (or the project) again.

"Continue from here" makes the epoch shown the project's state (edits.restore_epoch: the
weights, the history cut there, later snapshots dropped) as one undo step; Train continues
from it.
"""

from __future__ import annotations

import bisect
import math
import time
from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractSlider,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QToolBar,
)

from app import commands
from app.training.prepare import architecture_signature
from app.training.views import ViewUpdate, compute_views
from engine.errors import EngineError
from engine.project import model_bridge

# The views of a scrubbed epoch are computed at most this often (a drag sends far more).
RENDER_INTERVAL = 1.0 / 30.0
# While scrubbed back during a run, the slider follows the growing run this often.
SLIDER_INTERVAL = 0.25
# Events with which a person reaches for the slider: its range is brought up to date first.
_REACHING = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.KeyPress,
    QEvent.Type.Wheel,
    QEvent.Type.FocusIn,
    QEvent.Type.Enter,
}

_FORWARD = {
    QAbstractSlider.SliderAction.SliderSingleStepAdd,
    QAbstractSlider.SliderAction.SliderPageStepAdd,
}
_BACKWARD = {
    QAbstractSlider.SliderAction.SliderSingleStepSub,
    QAbstractSlider.SliderAction.SliderPageStepSub,
}


class Timeline(QObject):
    """The scrubber's state and what it shows. `shown_epoch` is the epoch on screen, or None
    when the views are live."""

    def __init__(self, panel):
        super().__init__(panel)
        self.panel = panel
        self.window = panel.window
        self.controller = panel.controller
        self.shown_epoch: int | None = None
        self._live = int(getattr(self.window.project, "epochs_trained", 0) or 0)
        self._first: int | None = None  # the earliest epoch with a snapshot
        self._run_keeper = None  # the keeper of the run the timeline follows
        self._project = self.window.project
        self._setting = False  # the slider is being set by code, not by the person
        self._model = None
        self._model_key = None
        self._last_render = -math.inf
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.timeout.connect(self._render)
        self._range_synced = -math.inf
        self._build()
        self._wire()
        self._sync_idle()

    # ----- widgets --------------------------------------------------------------------------
    def _build(self) -> None:
        w = self.window
        bar = QToolBar("Timeline", w)
        bar.setObjectName("timelineToolbar")
        bar.setAccessibleName("Training timeline")
        bar.setMovable(False)
        self.toolbar = bar
        title = QLabel("&Timeline:")
        title.setObjectName("timelineTitle")
        title.setContentsMargins(4, 0, 6, 0)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("epochScrubber")
        self.slider.setAccessibleName("Epoch scrubber")
        self.slider.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.slider.setMinimumWidth(120)
        title.setBuddy(self.slider)  # Alt+T focuses the scrubber
        self.label = QLabel("")
        self.label.setObjectName("epochScrubberLabel")
        self.label.setContentsMargins(8, 0, 8, 0)
        bold = self.label.font()
        bold.setBold(True)
        # Fixed, for the longest text: the numbers change with every frame of a run, and a
        # label that asked for another width would lay the window out again each time.
        # (Fixed in both directions: a text change then repaints the label alone.)
        self.label.setFixedSize(
            QFontMetrics(bold).horizontalAdvance("epoch 88888 of 88888") + 16,
            self.label.sizeHint().height(),
        )
        self.restore_action = QAction("Continue from Here", w)
        self.restore_action.setObjectName("restoreEpochAction")
        self.restore_action.setToolTip(
            "Make the epoch shown the network's state: its weights, and the history cut "
            "there (undoable). Train then continues from it."
        )
        self.restore_action.setStatusTip(self.restore_action.toolTip())
        self.restore_action.triggered.connect(self.restore)
        w.addAction(self.restore_action)
        self.restore_button = QPushButton("Continue from here")
        self.restore_button.setObjectName("restoreEpochButton")
        self.restore_button.setToolTip(self.restore_action.toolTip())
        self.restore_button.clicked.connect(self.restore_action.trigger)
        bar.addWidget(title)
        bar.addWidget(self.slider)
        bar.addWidget(self.label)
        bar.addWidget(self.restore_button)
        w.addToolBar(Qt.ToolBarArea.BottomToolBarArea, bar)

    def _wire(self) -> None:
        c = self.controller
        self.slider.valueChanged.connect(self._on_value_changed)
        self.slider.installEventFilter(self)
        self.slider.sliderPressed.connect(self._refresh_range)
        self.slider.actionTriggered.connect(self._on_slider_action)
        self.slider.sliderReleased.connect(self._on_released)
        c.stateChanged.connect(self._on_state)
        c.progressChanged.connect(self._on_progress)
        c.runFinished.connect(lambda _result: self._sync_idle())
        if hasattr(self.window, "projectChanged"):
            self.window.projectChanged.connect(self._on_project_changed)
        # A new projection or rows in the Output view: the epoch shown is drawn again.
        self.panel.output_view.choiceChanged.connect(self._redraw_if_scrubbed)
        # Hidden (View menu), the timeline cannot be dragged back: the views go live.
        self.toolbar.visibilityChanged.connect(lambda visible: visible or self.go_live())

    # ----- the snapshots --------------------------------------------------------------------
    def _running(self) -> bool:
        return self.controller.worker is not None and self.controller.keeper is not None

    def epochs(self) -> list[int]:
        """The epochs the timeline can show, in order: the project's snapshots, and while a
        run goes on, those before it started and the run's own."""
        project = self.window.project
        if self._running():
            base = self.controller.run_start_epoch
            epochs = {e for e in project.snapshots if e <= base}
            epochs.update(self.controller.keeper.epochs())
        else:
            epochs = set(project.snapshots)
        return sorted(e for e in epochs if e <= self._live)

    def weights_at(self, epoch: int):
        """The weights after `epoch` epochs, or None without a snapshot of it."""
        if self._running() and epoch >= self.controller.run_start_epoch:
            weights = self.controller.keeper.weights_at(epoch)
            if weights is not None:
                return weights
        return self.window.project.snapshots.get(epoch)

    def nearest(self, epoch: int) -> int | None:
        epochs = self.epochs()
        if not epochs:
            return None
        return min(epochs, key=lambda e: (abs(e - epoch), e))

    @property
    def live_epoch(self) -> int:
        """The epoch at the live end: the project's, or while training the run's latest."""
        return self._live

    # ----- the slider -----------------------------------------------------------------------
    def _refresh_range(self) -> None:
        """Span the slider from the earliest snapshot to the live end; a live slider stays at
        the end as it grows."""
        live = self._live
        first = self._first if self._first is not None and self._first < live else live
        self._range_synced = time.perf_counter()
        self._setting = True
        try:
            if (self.slider.minimum(), self.slider.maximum()) != (first, live):
                self.slider.setRange(first, live)
                self.slider.setPageStep(max(1, (live - first) // 10))
            if self.shown_epoch is None and self.slider.value() != live:
                self.slider.setValue(live)
        finally:
            self._setting = False
        enabled = first < live
        if enabled != self.slider.isEnabled() or not self.slider.toolTip():
            self.slider.setEnabled(enabled)
            self.slider.setToolTip(
                "Drag back to see the network as it was after an earlier epoch; the end is live"
                if enabled
                else "Train to record a timeline: the weights after each epoch"
            )
        self._update_label()

    def _update_label(self) -> None:
        scrubbed = self.shown_epoch is not None
        if scrubbed:
            text = f"epoch {self.shown_epoch} of {self._live}"
        else:
            text = f"epoch {self._live} · live" if self._live else "not trained yet"
        if text == self.label.text():
            return
        self.label.setText(text)
        if self.label.font().bold() != scrubbed:
            font = self.label.font()
            font.setBold(scrubbed)
            self.label.setFont(font)
        self.label.setToolTip(
            f"The views show the network after epoch {self.shown_epoch}, not the live one; "
            "drag the timeline to its end (or press End) to follow training again"
            if scrubbed
            else "The views show the network as it is now"
        )

    def _on_value_changed(self, value: int) -> None:
        if self._setting:
            return
        if value >= self.slider.maximum():
            self.go_live()
            return
        epoch = self.nearest(value)
        if epoch is None or epoch >= self._live:
            self.go_live()
        else:
            self.scrub_to(epoch)

    def _on_slider_action(self, action: int) -> None:
        """A key (or a click in the groove) steps to the next epoch that has a snapshot in
        its direction: a thinned timeline has none in between, and stepping to one without
        would show the same epoch again, as if the key did nothing."""
        action = QAbstractSlider.SliderAction(action)
        if action not in _FORWARD and action not in _BACKWARD:
            return
        position = self.slider.sliderPosition()
        stops = self.epochs() + [self.slider.maximum()]
        if action in _FORWARD:
            index = bisect.bisect_left(stops, position)
            target = stops[min(index, len(stops) - 1)]
        else:
            index = bisect.bisect_right(stops, position) - 1
            target = stops[max(index, 0)]
        self.slider.setSliderPosition(target)

    def _on_released(self) -> None:
        if self.shown_epoch is not None and self.slider.value() != self.shown_epoch:
            self._setting = True
            self.slider.setValue(self.shown_epoch)  # the knob sits on the epoch shown
            self._setting = False

    # ----- scrubbing ------------------------------------------------------------------------
    def scrub_to(self, epoch: int) -> None:
        """Show the network after `epoch` epochs (an epoch with a snapshot)."""
        self.controller.hold_views = True
        changed = epoch != self.shown_epoch
        self.shown_epoch = epoch
        self.panel.cost_plot.mark_epoch(epoch)
        self._update_label()
        self._update_action()
        if changed:
            self._schedule_render()

    def go_live(self) -> None:
        """Back to the live end: the views follow the run (or the project) again."""
        if self.shown_epoch is None:
            return
        self.shown_epoch = None
        self._render_timer.stop()
        self.panel.cost_plot.mark_epoch(None)
        self._refresh_range()
        self._update_action()
        self.controller.release_views()
        weights = self.controller.latest_weights
        if self._running() and weights is not None:
            self._show_weights(weights)  # paused, no frame would come to show them

    def _schedule_render(self) -> None:
        if self._render_timer.isActive():
            return  # it will draw the newest epoch
        wait = self._last_render + RENDER_INTERVAL - time.perf_counter()
        self._render_timer.start(int(max(0.0, wait) * 1000))

    def _redraw_if_scrubbed(self) -> None:
        if self.shown_epoch is not None:
            self._schedule_render()

    def _render(self) -> None:
        self._last_render = time.perf_counter()
        if self.shown_epoch is None:
            return
        weights = self.weights_at(self.shown_epoch)
        if weights is None:  # thinned away meanwhile: its nearest neighbour
            epoch = self.nearest(self.shown_epoch)
            if epoch is None or epoch >= self._live:
                self.go_live()
                return
            self.scrub_to(epoch)
            weights = self.weights_at(epoch)
        if weights is not None:
            self._show_weights(weights)

    def _show_weights(self, weights) -> None:
        c = self.controller
        c.weightsUpdated.emit(weights)
        update = self.views_for(weights)
        if update is not None:
            c.layerStatsUpdated.emit(update.layers)
            c.outputUpdated.emit(update.output)
            c.evaluationUpdated.emit(update)

    def views_for(self, weights) -> ViewUpdate | None:
        """What the activation panels and the output view show for `weights`, computed as
        for the live network (None when the views have nothing to show)."""
        setup = self.controller.setup
        if setup is None:
            return None
        try:
            model = self._model_for(self.window.project)
            model.set_weights(weights)
            return compute_views(model, setup)
        except (EngineError, ValueError):
            return None  # a snapshot of another network (mid-edit): nothing to show

    def _model_for(self, project):
        """A model of the project's network to load snapshots into, built once per network."""
        key = (architecture_signature(project), project.compile)
        if self._model is None or key != self._model_key:
            # Zero-initialised: random initial weights would draw from the engine's global
            # random generator, which a running fit shuffles its batches with.
            layers = [
                replace(layer, kernel_initializer="zeros", bias_initializer="zeros")
                for layer in project.layers
            ]
            self._model = model_bridge.build_model(
                layers, project.compile, project.resolved_input_dim(), None
            )
            self._model_key = key
        return self._model

    # ----- continue from here ---------------------------------------------------------------
    def _update_action(self) -> None:
        allowed = self.shown_epoch is not None and self.controller.worker is None
        self.restore_action.setEnabled(allowed)
        self.restore_button.setEnabled(allowed)

    def restore(self) -> bool:
        """Make the epoch shown the project's state (one undo step)."""
        epoch = self.shown_epoch
        if epoch is None or self.controller.worker is not None:
            return False
        return bool(self.window.push(commands.restore_epoch(self.window, epoch)))

    # ----- following the run and the project ------------------------------------------------
    def _on_state(self, _state: str) -> None:
        c = self.controller
        if self._running() and c.keeper is not self._run_keeper:  # a new run
            self._run_keeper = c.keeper
            self._live = c.run_start_epoch
            project_epochs = [e for e in self.window.project.snapshots if e <= self._live]
            self._first = min(project_epochs, default=c.run_start_epoch)
            self._refresh_range()
        self._update_action()

    def _on_progress(self, done: int, _planned: int) -> None:
        """A frame of the run: the label says the new epoch at once. The slider itself is
        repainted only when that shows something: live, its knob stays at the right end
        whatever the range (the range is brought up to date the moment the person reaches
        for it, see eventFilter); scrubbed back, the knob creeps left as the run goes on,
        redrawn a few times a second. (A repaint of the window-wide slider costs about a
        millisecond, which the frame budget would take from the cost curve's redraws.)"""
        if not self._running():
            return
        self._live = self.controller.run_start_epoch + int(done)
        now = time.perf_counter()
        if self.shown_epoch is not None and now - self._range_synced >= SLIDER_INTERVAL:
            self._refresh_range()
        else:
            self._update_label()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.slider and event.type() in _REACHING:
            self._refresh_range()  # before the slider turns the press or key into a value
        return False

    def _sync_idle(self) -> None:
        """Follow the project (idle): its epochs and snapshots."""
        if self._running():
            return
        project = self.window.project
        self._live = int(project.epochs_trained or 0)
        self._first = min(project.snapshots, default=None)
        shown = self.shown_epoch
        another = project is not self._project
        self._project = project
        if shown is not None and (another or shown >= self._live or shown not in project.snapshots):
            self.go_live()  # the epoch shown is gone (an undo, a reset, another project)
        self._refresh_range()
        self._update_action()

    def _on_project_changed(self) -> None:
        self._sync_idle()
        # The window redrew the canvas from the project: an earlier epoch is drawn again.
        self._redraw_if_scrubbed()


def attach_timeline(panel) -> Timeline:
    """Add the timeline to a TrainingPanel (see the module docstring)."""
    return Timeline(panel)
