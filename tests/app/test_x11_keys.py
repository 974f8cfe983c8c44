"""Keyboard shortcuts on X11, where the platform's own key bindings differ from offscreen:
QKeySequence.StandardKey.Delete holds Ctrl+D there (Duplicate's Ctrl+D was ambiguous and did
nothing), Redo has no Ctrl+Y, and Space trained even with a check box focused."""

from __future__ import annotations

pytest_plugins = ["x11_fixtures"]


def test_ctrl_d_duplicates_the_selected_layer(x11):
    output = x11("""
        window = shown_window()
        window.canvas.setFocus()
        window.canvas.select_layer(0)
        before = len(window.project.layers)
        QTest.keyClick(window.canvas, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        QTest.qWait(50)
        assert len(window.project.layers) == before + 1, (before, len(window.project.layers))
        QTest.keyClick(window.canvas, Qt.Key.Key_Delete)
        QTest.qWait(50)
        assert len(window.project.layers) == before
    """)
    assert "Ambiguous shortcut" not in output


def test_ctrl_y_and_ctrl_shift_z_redo(x11):
    x11("""
        window = shown_window()
        window.canvas.setFocus()
        before = len(window.project.layers)
        window.add_layer("tanh")
        for redo in ((Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier),
                     (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                      | Qt.KeyboardModifier.ShiftModifier)):
            QTest.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
            QTest.qWait(50)
            assert len(window.project.layers) == before
            QTest.keyClick(window.canvas, *redo)
            QTest.qWait(50)
            assert len(window.project.layers) == before + 1, redo
    """)


def test_space_goes_to_a_focused_check_box_and_trains_from_the_canvas(x11):
    x11("""
        window = shown_window()
        controller = window.training.controller
        check = window.training_settings.shuffle_check
        window.training_settings_dock.raise_()
        check.setFocus()
        QTest.qWait(50)
        assert check.hasFocus()
        ticked = check.isChecked()
        QTest.keyClick(check, Qt.Key.Key_Space)
        QTest.qWait(50)
        assert controller.state == "idle", controller.state
        assert check.isChecked() != ticked
        window.canvas.setFocus()
        QTest.qWait(50)
        QTest.keyClick(window.canvas, Qt.Key.Key_Space)
        assert controller.state == "running", controller.state
        controller.shutdown()
    """)


def test_no_two_actions_share_a_key(x11):
    x11("""
        window = shown_window()
        seen = {}
        for action in window.actions():
            for key in action.shortcuts():
                text = key.toString()
                assert text not in seen, (text, seen.get(text), action.objectName())
                seen[text] = action.objectName()
        rows = dict(window.shortcut_rows())
        assert "Space" in rows["Train / Pause / Resume"]
        assert "Ctrl+Y" in rows["Redo"]
    """)
