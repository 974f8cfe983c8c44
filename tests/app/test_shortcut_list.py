"""Help ▸ Keyboard Shortcuts names commands, not the step they would take now, lists Space,
and the canvas menu and the Edit menu call the same command by the same name."""

from __future__ import annotations

pytest_plugins = ["window_fixtures"]


def test_the_list_says_undo_not_the_step_it_would_undo(window):
    window.canvas.layerInsertRequested.emit(0, "tanh")
    assert window.undo_action.text().replace("&", "").startswith("Undo ")  # menu: the step
    rows = dict(window.shortcut_rows())
    assert "Undo" in rows and not any(name.startswith("Undo ") for name in rows)


def test_space_is_listed(window):
    rows = dict(window.shortcut_rows())
    assert rows["Train / Pause / Resume"] == "Space"


def test_canvas_menu_and_edit_menu_agree_on_move_names(window):
    menu = window.canvas.context_menu(0)
    names = {a.objectName(): a.text().split("\t")[0] for a in menu.actions()}
    edit = {
        window.move_up_action.text().replace("&", ""),
        window.move_down_action.text().replace("&", ""),
    }
    assert {names["moveLeftAction"], names["moveRightAction"]} == edit
