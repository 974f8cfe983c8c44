"""The layer palette and the network canvas, driven through real Qt events."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QMouseEvent,
)
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu

from app.builder import canvas as canvas_module
from app.builder.activation_info import ACTIVATIONS
from app.builder.canvas import MOVE_MIME_TYPE, NetworkCanvas, layer_move_mime_data
from app.builder.canvas_items import BLOCK_NODES
from app.builder.canvas_weights import NEGATIVE, POSITIVE
from app.builder.palette import LAYER_MIME_TYPE, LayerPalette
from engine import activations
from engine.data import builtin
from engine.project import LayerSpec, Project

DROP_ACTIONS = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction


def course_project(with_dataset: bool = True) -> Project:
    project = Project(
        layers=[LayerSpec(25, "sigmoid"), LayerSpec(15, "sigmoid"), LayerSpec(1, "sigmoid")]
    )
    project.dataset = builtin("coffee") if with_dataset else None
    return project


@pytest.fixture
def canvas(qtbot):
    view = NetworkCanvas()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.set_project(course_project())
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.fixture
def palette(qtbot):
    widget = LayerPalette()
    qtbot.addWidget(widget)
    return widget


def drag_and_drop(view: NetworkCanvas, mime, pos: QPoint) -> None:
    """Send the enter/move/drop sequence a real drag produces, at viewport position pos."""
    target = view.viewport()
    QApplication.sendEvent(
        target,
        QDragEnterEvent(
            pos, DROP_ACTIONS, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        ),
    )
    QApplication.sendEvent(
        target,
        QDragMoveEvent(
            pos, DROP_ACTIONS, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        ),
    )
    QApplication.sendEvent(
        target,
        QDropEvent(
            QPointF(pos),
            DROP_ACTIONS,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        ),
    )


# -- palette -------------------------------------------------------------------------------


def test_palette_offers_every_engine_activation_with_icon_and_advice(palette):
    assert palette.objectName() == "layerPalette"
    assert palette.activations()[:3] == ["relu", "sigmoid", "linear"]
    assert sorted(palette.activations()) == sorted(activations.available())
    for info in ACTIVATIONS:
        item = palette.item_for(info.name)
        assert not item.icon().isNull()
        assert info.advice in item.toolTip()
    assert "binary" in palette.item_for("sigmoid").toolTip()
    assert palette.add_button.toolTip() and palette.add_button.accessibleName()
    assert palette.list.toolTip() and palette.list.accessibleName()


def test_palette_drag_data_is_the_activation_name(palette):
    mime = palette.mimeData("leaky_relu")
    assert palette.list.mimeTypes() == [LAYER_MIME_TYPE]
    assert bytes(mime.data(LAYER_MIME_TYPE).data()).decode("utf-8") == "leaky_relu"
    with pytest.raises(KeyError, match="presets"):
        palette.item_for("nope")


def test_palette_drag_copies_so_the_preset_stays(palette, monkeypatch):
    from app.builder import palette as palette_module

    executed = []

    def fake_exec(drag, actions, *args):
        executed.append((bytes(drag.mimeData().data(LAYER_MIME_TYPE).data()).decode(), actions))
        return Qt.DropAction.CopyAction

    monkeypatch.setattr(palette_module.QDrag, "exec", fake_exec)
    palette.list.setCurrentItem(palette.item_for("elu"))
    palette.list.startDrag(Qt.DropAction.CopyAction | Qt.DropAction.MoveAction)
    assert executed == [("elu", Qt.DropAction.CopyAction)]
    assert palette.list.count() == len(ACTIVATIONS)


def test_canvas_accepts_a_palette_drop_as_a_copy(qtbot, canvas, palette):
    mime = palette.mimeData("relu")  # kept referenced: the event does not own it
    pos = canvas.gap_view_pos(1)
    enter = QDragEnterEvent(
        pos, DROP_ACTIONS, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier
    )  # Shift proposes a move
    QApplication.sendEvent(canvas.viewport(), enter)
    assert enter.isAccepted() and enter.dropAction() == Qt.DropAction.CopyAction
    drop = QDropEvent(
        QPointF(canvas.gap_view_pos(1)),
        DROP_ACTIONS,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
    )
    QApplication.sendEvent(canvas.viewport(), drop)
    assert drop.isAccepted() and drop.dropAction() == Qt.DropAction.CopyAction


def test_add_button_and_enter_request_the_selected_preset(qtbot, palette):
    palette.list.setCurrentItem(palette.item_for("tanh"))
    with qtbot.waitSignal(palette.addLayerRequested) as blocker:
        qtbot.mouseClick(palette.add_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["tanh"]
    palette.list.setCurrentItem(palette.item_for("softmax"))
    with qtbot.waitSignal(palette.addLayerRequested) as blocker:
        qtbot.keyClick(palette.list, Qt.Key.Key_Return)
    assert blocker.args == ["softmax"]


# -- canvas: drawing -------------------------------------------------------------------------


def test_canvas_draws_features_layers_and_blocks(canvas):
    assert canvas.objectName() == "networkCanvas"
    inputs = canvas.column_spec(-1)
    assert inputs.node_labels == ["Temperature (°C)", "Duration (min)"]
    assert canvas.column_spec(0).is_block and canvas.column_spec(0).n_nodes == BLOCK_NODES
    assert not canvas.column_spec(1).is_block and canvas.column_spec(1).n_nodes == 15
    assert canvas.column_spec(2).title == "Output"
    assert canvas.column_spec(2).side_label == "→ roast"
    # Inputs (2 nodes) → block (6 representative nodes) → 15 → 1.
    assert [len(canvas.connection_lines(g)) for g in range(3)] == [2 * 6, 6 * 15, 15]
    assert "25 · Sigmoid" in canvas.accessibleDescription()


def test_chosen_layer_names_replace_the_role_titles(qtbot):
    view = NetworkCanvas()
    qtbot.addWidget(view)
    view.set_project(
        Project(
            layers=[
                LayerSpec(4, "relu", name="layer1"),
                LayerSpec(3, "relu", name="features"),
                LayerSpec(1, "sigmoid", name="dense_2"),
            ]
        )
    )
    assert [view.column_spec(i).title for i in range(3)] == ["Dense 1", "features", "Output"]
    assert view.column_spec(1).tooltip.startswith("features: Hidden layer 2 of 3")


def test_canvas_without_dataset_names_inputs_from_weights_or_generically(qtbot):
    view = NetworkCanvas()
    qtbot.addWidget(view)
    project = course_project(with_dataset=False)
    view.set_project(project)
    assert view.column_spec(-1).side_label == "inputs"
    project.weights = [
        np.ones((3, 25)),
        np.zeros(25),
        np.ones((25, 15)),
        np.zeros(15),
        np.ones((15, 1)),
        np.zeros(1),
    ]
    view.set_project(project)
    assert view.column_spec(-1).node_labels == ["x1", "x2", "x3"]


def test_canvas_fits_the_view_when_resized(qtbot, canvas):
    canvas.resize(900, 500)
    big = canvas.transform().m11()
    canvas.resize(450, 250)
    qtbot.waitUntil(lambda: canvas.transform().m11() < big)
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert visible.contains(canvas.sceneRect().adjusted(2, 2, -2, -2))


def test_canvas_renders_in_light_and_dark_palettes(qtbot, canvas, tmp_path):
    light = canvas.grab()
    light.save(str(tmp_path / "canvas_light.png"))
    dark = canvas.palette()
    dark.setColor(dark.ColorRole.Base, Qt.GlobalColor.black)
    dark.setColor(dark.ColorRole.Text, Qt.GlobalColor.white)
    canvas.setPalette(dark)
    image = canvas.grab().toImage()
    assert image.pixelColor(3, 3).lightness() < 40  # background follows the palette
    assert canvas.column_spec(0).is_block  # redrawn, still the same network


# -- canvas: drops from the palette -----------------------------------------------------------


def test_palette_drop_between_layers_inserts_there(qtbot, canvas, palette):
    mime = palette.mimeData("relu")
    with qtbot.waitSignal(canvas.layerInsertRequested) as blocker:
        drag_and_drop(canvas, mime, canvas.gap_view_pos(1))
    assert blocker.args == [1, "relu"]
    assert not canvas.drop_indicator_visible()


def test_drop_indicator_marks_the_gap_during_the_drag(qtbot, canvas, palette):
    mime = palette.mimeData("tanh")
    pos = canvas.gap_view_pos(2)
    canvas.viewport().setFocus()
    QApplication.sendEvent(
        canvas.viewport(),
        QDragEnterEvent(
            pos, DROP_ACTIONS, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        ),
    )
    nudged = pos + QPoint(6, 0)  # still the same gap
    QApplication.sendEvent(
        canvas.viewport(),
        QDragMoveEvent(
            nudged, DROP_ACTIONS, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        ),
    )
    assert canvas.drop_indicator_visible()
    assert canvas.drop_indicator_x() == pytest.approx(canvas.gap_scene_x(2))
    assert canvas.drop_indicator_caption() == "+ Tanh"
    QApplication.sendEvent(canvas.viewport(), QEvent(QEvent.Type.DragLeave))
    assert not canvas.drop_indicator_visible()


@pytest.mark.parametrize(("where", "expected"), [("gap0", 0), ("left_edge", 0), ("end", 3)])
def test_drop_before_first_and_after_last_layer(qtbot, canvas, palette, where, expected):
    pos = {
        "gap0": canvas.gap_view_pos(0),
        "left_edge": QPoint(2, 250),
        "end": canvas.gap_view_pos(3),
    }[where]
    with qtbot.waitSignal(canvas.layerInsertRequested) as blocker:
        drag_and_drop(canvas, palette.mimeData("linear"), pos)
    assert blocker.args == [expected, "linear"]


def test_foreign_drops_are_refused(qtbot, canvas):
    from PySide6.QtCore import QMimeData

    mime = QMimeData()
    mime.setText("relu")
    with qtbot.assertNotEmitted(canvas.layerInsertRequested):
        drag_and_drop(canvas, mime, canvas.gap_view_pos(1))
    assert not canvas.drop_indicator_visible()


# -- canvas: reordering ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "gap", "expected"), [(0, 2, (0, 1)), (0, 3, (0, 2)), (2, 0, (2, 0)), (2, 1, (2, 1))]
)
def test_layer_drag_to_another_gap_requests_a_move(qtbot, canvas, source, gap, expected):
    with qtbot.waitSignal(canvas.layerMoveRequested) as blocker:
        drag_and_drop(canvas, layer_move_mime_data(source), canvas.gap_view_pos(gap))
    assert tuple(blocker.args) == expected


@pytest.mark.parametrize("gap", [1, 2])
def test_layer_dropped_where_it_is_does_not_move(qtbot, canvas, gap):
    with qtbot.assertNotEmitted(canvas.layerMoveRequested):
        drag_and_drop(canvas, layer_move_mime_data(1), canvas.gap_view_pos(gap))


def test_mouse_drag_on_a_layer_starts_a_move_drag(qtbot, canvas, monkeypatch):
    started = []

    def fake_exec(drag, *args):
        started.append(bytes(drag.mimeData().data(MOVE_MIME_TYPE).data()).decode())
        return Qt.DropAction.MoveAction

    monkeypatch.setattr(canvas_module.QDrag, "exec", fake_exec)
    start = canvas.layer_view_pos(1)
    qtbot.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, pos=start)
    end = QPointF(start + QPoint(40, 0))
    QApplication.sendEvent(
        canvas.viewport(),
        QMouseEvent(
            QEvent.Type.MouseMove,
            end,
            canvas.viewport().mapToGlobal(end),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        ),
    )
    assert started == ["1"]
    assert canvas.selected_layer() == 1


# -- canvas: selection, keyboard ---------------------------------------------------------------


def test_click_selects_a_layer_and_empty_space_selects_none(qtbot, canvas):
    with qtbot.waitSignal(canvas.layerSelected) as blocker:
        qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.layer_view_pos(2))
    assert blocker.args == [2] and canvas.selected_layer() == 2
    with qtbot.waitSignal(canvas.layerSelected) as blocker:
        qtbot.mouseClick(
            canvas.viewport(),
            Qt.MouseButton.LeftButton,
            pos=canvas.gap_view_pos(1) + QPoint(0, 200),
        )
    assert blocker.args == [-1]


def test_delete_key_requests_removal_of_the_selected_layer(qtbot, canvas):
    canvas.select_layer(1)
    with qtbot.waitSignal(canvas.layerDeleteRequested) as blocker:
        qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert blocker.args == [1]


def test_the_last_remaining_layer_cannot_be_deleted(qtbot, canvas):
    canvas.set_project(Project(layers=[LayerSpec(1, "sigmoid")]))
    canvas.select_layer(0)
    with qtbot.assertNotEmitted(canvas.layerDeleteRequested):
        qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert not canvas.context_menu(0).findChild(object, "deleteAction").isEnabled()


def test_arrows_move_the_selection_and_ctrl_arrows_move_the_layer(qtbot, canvas):
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    assert canvas.selected_layer() == 0
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_Right)  # stays on the last layer
    assert canvas.selected_layer() == 2
    qtbot.keyClick(canvas, Qt.Key.Key_Left)
    assert canvas.selected_layer() == 1
    with qtbot.waitSignal(canvas.layerMoveRequested) as blocker:
        qtbot.keyClick(canvas, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == [1, 2]
    canvas.select_layer(0)
    with qtbot.assertNotEmitted(canvas.layerMoveRequested):
        qtbot.keyClick(canvas, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)


def test_set_project_keeps_selection_in_range(qtbot, canvas):
    canvas.select_layer(2)
    with qtbot.waitSignal(canvas.layerSelected) as blocker:
        canvas.set_project(Project(layers=[LayerSpec(4, "relu"), LayerSpec(1, "sigmoid")]))
    assert blocker.args == [1]


def test_recording_weights_recolours_without_rebuilding_the_scene(canvas):
    """A run's end sets the same architecture with new weights: the connection items stay
    (rebuilding costs the window a frame) and take the new colours; a new architecture is
    drawn afresh."""
    lines = canvas.connection_lines(2)  # hidden 2 (15) -> output (1)
    trained = course_project()
    rng = np.random.default_rng(0)
    trained.weights = [
        rng.normal(size=shape).astype(np.float32)
        for shape in [(2, 25), (25,), (25, 15), (15,), (15, 1), (1,)]
    ]
    trained.weights[4][:, 0] = np.linspace(-1.0, 1.0, 15)  # negative, then positive
    canvas.set_project(trained)
    assert canvas.connection_lines(2) == lines
    colours = [line.pen().color().name() for line in lines]
    assert colours[0] == "#e4572e" and colours[-1] == "#2f7ed8"
    assert lines[-1].pen().widthF() > lines[7].pen().widthF()  # |w| 1 vs ~0
    wider = course_project()
    wider.layers[1] = LayerSpec(16, "sigmoid")
    canvas.set_project(wider)
    assert len(canvas.connection_lines(2)) == 16
    assert not set(map(id, canvas.connection_lines(2))) & set(map(id, lines))


# -- canvas: context menu and units -----------------------------------------------------------


def action(menu: QMenu, name: str):
    found = menu.findChild(object, name)
    assert found is not None, name
    return found


def test_context_menu_actions_request_edits(qtbot, canvas, monkeypatch):
    menu = canvas.context_menu(1)
    assert action(menu, "activation_sigmoid").isChecked()
    with qtbot.waitSignal(canvas.layerActivationChangeRequested) as blocker:
        action(menu, "activation_relu").trigger()
    assert blocker.args == [1, "relu"]
    with qtbot.waitSignal(canvas.layerDuplicateRequested) as blocker:
        action(menu, "duplicateAction").trigger()
    assert blocker.args == [1]
    with qtbot.waitSignal(canvas.layerMoveRequested) as blocker:
        action(menu, "moveLeftAction").trigger()
    assert blocker.args == [1, 0]
    with qtbot.waitSignal(canvas.layerMoveRequested) as blocker:
        action(menu, "moveRightAction").trigger()
    assert blocker.args == [1, 2]
    with qtbot.waitSignal(canvas.layerDeleteRequested) as blocker:
        action(menu, "deleteAction").trigger()
    assert blocker.args == [1]
    monkeypatch.setattr(canvas_module, "ask_units", lambda parent, title, current: 7)
    with qtbot.waitSignal(canvas.layerUnitsChangeRequested) as blocker:
        action(menu, "editUnitsAction").trigger()
    assert blocker.args == [1, 7]
    ends = canvas.context_menu(0)
    assert not action(ends, "moveLeftAction").isEnabled()
    assert not action(canvas.context_menu(2), "moveRightAction").isEnabled()


def test_right_click_opens_the_menu_of_the_layer_under_the_mouse(qtbot, canvas, monkeypatch):
    shown = []
    monkeypatch.setattr(
        canvas_module, "show_menu", lambda menu, pos: shown.append(menu.accessibleName())
    )
    pos = canvas.layer_view_pos(2)
    QApplication.sendEvent(
        canvas.viewport(),
        QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, canvas.viewport().mapToGlobal(pos)),
    )
    assert shown == ["Layer 3 actions"] and canvas.selected_layer() == 2
    canvas.setFocus()
    canvas.select_layer(0)
    QApplication.sendEvent(
        canvas.viewport(),
        QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(0, 0), QPoint(0, 0)),
    )
    assert shown[-1] == "Layer 1 actions"


def test_double_click_edits_units(qtbot, canvas, monkeypatch):
    asked = []

    def fake_ask(parent, title, current):
        asked.append(current)
        return 32

    monkeypatch.setattr(canvas_module, "ask_units", fake_ask)
    with qtbot.waitSignal(canvas.layerUnitsChangeRequested) as blocker:
        qtbot.mouseDClick(
            canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.layer_view_pos(1)
        )
    assert blocker.args == [1, 32] and asked == [15]
    monkeypatch.setattr(canvas_module, "ask_units", lambda *a: None)  # cancelled
    with qtbot.assertNotEmitted(canvas.layerUnitsChangeRequested):
        qtbot.mouseDClick(
            canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.layer_view_pos(1)
        )


def test_units_dialog_asks_for_at_least_one_unit(qtbot, monkeypatch):
    calls = []

    def fake_get_int(parent, title, label, value, minimum, maximum, step):
        calls.append((value, minimum))
        return 0, True

    monkeypatch.setattr(QInputDialog, "getInt", fake_get_int)
    assert canvas_module.ask_units(None, "Units", 15) == 0
    assert calls == [(15, 1)]


# -- canvas: weights -------------------------------------------------------------------------


def weights_for(sizes: list[int], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        weights += [rng.normal(size=(n_in, n_out)).astype(np.float32), np.zeros(n_out, np.float32)]
    return weights


def test_set_weights_colours_and_thickens_by_sign_and_size(canvas):
    neutral = canvas.connection_lines(2)[0].pen().color().name()
    weights = weights_for([2, 25, 15, 1])
    weights[4][:] = 0.01
    weights[4][0, 0] = 3.0  # strongest, positive
    weights[4][1, 0] = -3.0  # strongest, negative
    canvas.set_weights(weights)
    lines = canvas.connection_lines(2)  # 15 → 1
    assert lines[0].pen().color().name() == POSITIVE.name()
    assert lines[1].pen().color().name() == NEGATIVE.name()
    assert lines[0].pen().widthF() > lines[2].pen().widthF()
    assert lines[0].pen().color().alpha() > lines[2].pen().color().alpha()
    canvas.set_weights(None)
    assert lines[0].pen().color().name() == neutral


def test_block_lines_show_group_means(canvas):
    weights = weights_for([2, 25, 15, 1])
    weights[0][:] = -1.0
    weights[0][:, :5] = 2.0  # the first of 6 groups of 25 units (sizes 5,4,4,4,4,4)
    canvas.set_weights(weights)
    lines = canvas.connection_lines(0)  # 2 inputs x 6 block nodes
    assert lines[0].pen().color().name() == POSITIVE.name()
    assert lines[1].pen().color().name() == NEGATIVE.name()


def test_mismatched_weights_draw_neutral_instead_of_failing(canvas):
    canvas.set_weights(weights_for([2, 25, 15, 1]))
    coloured = canvas.connection_lines(1)[0].pen().color().name()
    canvas.set_weights(weights_for([2, 7, 15, 1]))
    assert canvas.connection_lines(1)[0].pen().color().name() != coloured
    canvas.set_weights([np.full((2, 25), np.nan)] + weights_for([2, 25, 15, 1])[1:])


@pytest.mark.parametrize("sizes", [[2, 25, 15, 1], [784, 256, 128, 10]])
def test_set_weights_is_cheap(qtbot, sizes):
    view = NetworkCanvas()
    qtbot.addWidget(view)
    view.set_project(
        Project(layers=[LayerSpec(n, "relu") for n in sizes[1:]], weights=weights_for(sizes))
    )
    snapshots = [weights_for(sizes, seed) for seed in range(12)]
    times = []
    for w in snapshots:
        start = time.perf_counter()
        view.set_weights(w)
        times.append(time.perf_counter() - start)
    # Budget ~5 ms per call; the assertion leaves room for a loaded shared CI machine.
    assert np.median(times) < 0.015, f"median {np.median(times) * 1e3:.2f} ms"
