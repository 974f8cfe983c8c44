"""The runs panel: one row per training run, oldest first, to compare, rename, delete and
restore them (issue 14).

A tick in the first column draws the run's curves over the cost plot; the current run (the
one the network's weights are) is bold, called "current", and always drawn (its curves are
the live ones). The name is edited in place (F2, double-click); Del deletes, Enter or a
double-click on its figures restores. Like the other panels it never edits the project: it
emits requests (showRequested, renameRequested, deleteRequested, restoreRequested) that
become undo commands, and `set_runs` shows the project's runs, blocking its own requests
while it writes the rows.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QIcon,
    QKeyEvent,
    QPainter,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStyledItemDelegate,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.plots.cost_plot import TRAIN_PEN
from app.training import run_rows
from engine.project.runs import Run

ID_ROLE = Qt.ItemDataRole.UserRole + 1
CURRENT_ROLE = Qt.ItemDataRole.UserRole + 2
# Keys the list answers itself while it has the focus. The window binds some of them too
# (Del deletes a layer, Space trains): those must not fire from here.
OWN_KEYS = (
    Qt.Key.Key_Space,
    Qt.Key.Key_Delete,
    Qt.Key.Key_Backspace,
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
    Qt.Key.Key_F2,
)
# In a narrow dock (the 1024×700 layout) these figures columns go first, so the run's name,
# what differs, stays readable; the row's tooltip still has them.
OPTIONAL_COLUMNS = (1, 2)  # epochs, loss
MIN_NAME_WIDTH = 130
EMPTY_HINT = "No runs yet. Each training from fresh weights (after Reset or a change to the network) becomes a run here."
HINT = "Tick runs to draw them on the Cost plot."
KEYS_TIP = (
    "Space ticks the selected run, Enter (or a double-click on its figures) restores it, "
    "F2 renames it, Del deletes it. Right-click for the same."
)


def swatch(colour: tuple[int, int, int] | None, size: int = 12) -> QIcon:
    """A short thick line in the run's colour (transparent for a run not drawn), the same
    width for every row so the names line up."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    if colour is not None:
        painter = QPainter(pixmap)
        painter.fillRect(0, size // 2 - 2, size, 4, QColor(*colour))
        painter.end()
    return QIcon(pixmap)


class _NameDelegate(QStyledItemDelegate):
    """Shows "name · current" for the current run; the name alone is what is edited."""

    def initStyleOption(self, option, index: QModelIndex) -> None:  # noqa: N802 - Qt's name
        super().initStyleOption(option, index)
        if index.column() == 0 and index.data(CURRENT_ROLE):
            option.text = f"{option.text} · current"


class RunsView(QTreeView):
    """The list (objectName "runsPanel"). Space, Del, Enter and F2 are its own while it has
    the focus (not the window's Train and Delete Layer), and a press becomes keyPressed(key)."""

    keyPressed = Signal(int)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._own_key(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if self.state() != QAbstractItemView.State.EditingState and self._own_key(event):
            self.keyPressed.emit(int(event.key()))
            event.accept()
            return
        super().keyPressEvent(event)

    @staticmethod
    def _own_key(event: QKeyEvent) -> bool:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        return event.key() in OWN_KEYS and modifiers == Qt.KeyboardModifier.NoModifier


class RunsPanel(QWidget):
    showRequested = Signal(str, bool)  # run id, draw its curves
    renameRequested = Signal(str, str)  # run id, new name
    deleteRequested = Signal(str)
    restoreRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("runsPanelBox")
        self._filling = False
        self._runs: list[Run] = []
        self._shown: set[str] = set()
        self._current: str | None = None
        self._training = False
        self.menu: QMenu | None = None

        self.hint = QLabel(EMPTY_HINT)
        self.hint.setObjectName("runsHint")
        self.hint.setWordWrap(True)
        self.hint.setToolTip(KEYS_TIP)
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.model = QStandardItemModel(0, len(run_rows.COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(run_rows.COLUMNS))
        self.view = RunsView()
        self.view.setObjectName("runsPanel")
        self.view.setAccessibleName("Training runs")
        self.view.setAccessibleDescription(KEYS_TIP)
        self.view.setWhatsThis(KEYS_TIP)
        self.view.setModel(self.model)
        self.view.setItemDelegateForColumn(0, _NameDelegate(self.view))
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setAllColumnsShowFocus(True)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(run_rows.COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self._header_tip = (
            "Final figures: at the epoch whose weights the run kept. The last column is on "
            "the validation split when the run had one."
        )
        header.setToolTip(self._header_tip)

        self.restore_button = QPushButton("Restore")
        self.restore_button.setObjectName("restoreRunButton")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("deleteRunButton")
        self.delete_button.setToolTip("Delete the selected run from the list (Del; undoable)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.hint)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        self.model.itemChanged.connect(self._on_item_changed)
        self.view.keyPressed.connect(self._on_key)
        self.view.doubleClicked.connect(self._on_double_click)
        self.view.customContextMenuRequested.connect(self._show_menu)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.restore_button.clicked.connect(self.restore_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self._update_buttons()

    # ----- showing the runs ----------------------------------------------------------------
    def set_runs(
        self,
        runs: list[Run],
        current: str | None,
        shown: set[str],
        colours: dict[str, tuple[int, int, int]],
        training: bool = False,
    ) -> None:
        """Show `runs` (oldest first): ticked when in `shown` or current, with a swatch of
        the colour their curves are drawn in (`colours`; the current run's is the live blue).
        training: Restore is off while a training runs."""
        selected = self.selected_run_id()
        self._runs, self._current, self._shown = list(runs), current, set(shown)
        self._training = training
        named_metric = run_rows.metric_header(runs) == "Metric"
        self._filling = True
        try:
            if [self._row_id(row) for row in range(self.model.rowCount())] != [r.id for r in runs]:
                self.model.setRowCount(0)
                for _run in runs:
                    self.model.appendRow([QStandardItem() for _ in run_rows.COLUMNS])
            for row, run in enumerate(runs):
                colour = (
                    TRAIN_PEN.color().getRgb()[:3] if run.id == current else colours.get(run.id)
                )
                self._fill_row(row, run, named_metric, colour)
            self.model.setHeaderData(
                len(run_rows.COLUMNS) - 1,
                Qt.Orientation.Horizontal,
                run_rows.metric_header(runs),
            )
        finally:
            self._filling = False
        self.hint.setText(HINT if runs else EMPTY_HINT)
        self._fit_columns()
        if selected is not None:
            self.select_run(selected)
        self._update_buttons()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Hide OPTIONAL_COLUMNS, in order, while the name column would be narrower than
        MIN_NAME_WIDTH; show them again when there is room."""
        view, header = self.view, self.view.header()

        def width(column: int) -> int:
            return max(view.sizeHintForColumn(column), header.sectionSizeHint(column))

        figures = [c for c in range(1, len(run_rows.COLUMNS)) if c not in OPTIONAL_COLUMNS]
        room = view.viewport().width() - sum(width(c) for c in figures)
        hidden = []
        for column in reversed(OPTIONAL_COLUMNS):  # the earlier a column, the sooner it goes
            if not hidden and room - width(column) >= MIN_NAME_WIDTH:
                room -= width(column)
                view.setColumnHidden(column, False)
            else:
                view.setColumnHidden(column, True)
                hidden.append(run_rows.COLUMNS[column].lower())
        tip = self._header_tip
        if hidden:
            tip += f" Widen the panel to see {' and '.join(reversed(hidden))} (or point at a run)."
        header.setToolTip(tip)

    def _fill_row(self, row: int, run: Run, named_metric: bool, colour) -> None:
        current = run.id == self._current
        tip = run_rows.run_tooltip(run, current)
        texts = [run.name, *run_rows.row_cells(run, named_metric)]
        for column, text in enumerate(texts):
            item = self.model.item(row, column)
            item.setText(text)
            item.setToolTip(tip)
            font = item.font()
            font.setBold(current)
            item.setFont(font)
            if column:
                item.setEditable(False)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        name = self.model.item(row, 0)
        name.setData(run.id, ID_ROLE)
        name.setData(current, CURRENT_ROLE)
        name.setEditable(True)
        # The current run's curves are the live ones: always drawn, its tick not a choice.
        name.setCheckable(not current)
        name.setCheckState(
            Qt.CheckState.Checked if current or run.id in self._shown else Qt.CheckState.Unchecked
        )
        name.setIcon(swatch(colour if current or run.id in self._shown else None))

    def _row_id(self, row: int) -> str | None:
        item = self.model.item(row, 0)
        return item.data(ID_ROLE) if item is not None else None

    def _run(self, run_id: str | None) -> Run | None:
        return next((run for run in self._runs if run.id == run_id), None)

    def selected_run_id(self) -> str | None:
        index = self.view.currentIndex()
        return self._row_id(index.row()) if index.isValid() else None

    def select_run(self, run_id: str) -> bool:
        for row in range(self.model.rowCount()):
            if self._row_id(row) == run_id:
                self.view.setCurrentIndex(self.model.index(row, 0))
                return True
        return False

    def _update_buttons(self) -> None:
        run = self._run(self.selected_run_id())
        self.delete_button.setEnabled(run is not None)
        can_restore = run is not None and bool(run.weights) and not self._training
        self.restore_button.setEnabled(can_restore)
        if self._training:
            tip = "Stop training to restore a run"
        elif run is not None and not run.weights:
            tip = "This run kept no weights, so it cannot be restored"
        else:
            tip = "Bring the selected run's settings and weights back (Enter; undoable)"
        self.restore_button.setToolTip(tip)

    # ----- requests --------------------------------------------------------------------------
    def _on_item_changed(self, item: QStandardItem) -> None:
        if self._filling or item.column() != 0:
            return
        run = self._run(item.data(ID_ROLE))
        if run is None:
            return
        name = " ".join(item.text().split())
        if name and name != run.name:
            self.renameRequested.emit(run.id, name)
            return
        if item.text() != run.name:  # emptied ("never mind") or only spaces added
            self._filling = True
            item.setText(run.name)
            self._filling = False
            return
        shown = item.checkState() == Qt.CheckState.Checked
        if run.id != self._current and shown != (run.id in self._shown):
            self.showRequested.emit(run.id, shown)

    def toggle_selected(self) -> None:
        """Tick or untick the selected run (Space)."""
        run_id = self.selected_run_id()
        if run_id is None or run_id == self._current:
            return
        self.showRequested.emit(run_id, run_id not in self._shown)

    def rename_selected(self) -> None:
        """Edit the selected run's name in place (F2)."""
        index = self.view.currentIndex()
        if index.isValid():
            name = self.model.index(index.row(), 0)
            self.view.setCurrentIndex(name)
            self.view.edit(name)

    def delete_selected(self) -> None:
        run_id = self.selected_run_id()
        if run_id is not None:
            self.deleteRequested.emit(run_id)

    def restore_selected(self) -> None:
        run_id = self.selected_run_id()
        if run_id is not None and self.restore_button.isEnabled():
            self.restoreRequested.emit(run_id)

    def _on_key(self, key: int) -> None:
        if key == Qt.Key.Key_Space:
            self.toggle_selected()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_selected()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.restore_selected()
        elif key == Qt.Key.Key_F2:
            self.rename_selected()

    def _on_double_click(self, index: QModelIndex) -> None:
        # On the name a double-click edits it (the view's edit trigger); on a figure it
        # restores the run.
        if index.isValid() and index.column() != 0:
            self.restore_selected()

    def _show_menu(self, position) -> None:
        index = self.view.indexAt(position)
        if not index.isValid():  # the menu key, or a click below the rows: the selected run
            index = self.view.currentIndex()
            if not index.isValid():
                return
            position = self.view.visualRect(index).center()
        self.view.setCurrentIndex(index)
        run_id = self.selected_run_id()
        menu = QMenu(self)
        menu.setObjectName("runsMenu")
        restore = menu.addAction("Restore\tEnter", self.restore_selected)
        restore.setEnabled(self.restore_button.isEnabled())
        menu.addAction("Rename\tF2", self.rename_selected)
        menu.addAction("Delete\tDel", self.delete_selected)
        menu.addSeparator()
        show = menu.addAction("Show on the Cost Plot\tSpace", self.toggle_selected)
        show.setCheckable(True)
        show.setChecked(run_id == self._current or run_id in self._shown)
        show.setEnabled(run_id != self._current)
        self.menu = menu  # kept for tests, and so it lives while it is shown
        menu.popup(self.view.viewport().mapToGlobal(position))
