"""The advisor panel: one card per hint, and a Fix button that fixes through the undo stack."""

from __future__ import annotations

from app.builder.advisor import AdvisorPanel
from engine.data import builtin
from engine.project import CompileSpec, LayerSpec, Project

# Fixtures: window, make_window, answers, config_dir (temporary settings folder).
pytest_plugins = ["window_fixtures"]


def test_panel_shows_a_card_per_hint_and_emits_the_fix(qtbot):
    panel = AdvisorPanel()
    qtbot.addWidget(panel)
    project = Project(
        layers=[LayerSpec(8, "sigmoid"), LayerSpec(1, "linear")],
        compile=CompileSpec(loss="binary_crossentropy"),
    )
    panel.set_project(project)
    assert {card.advice.rule for card in panel.cards} == {"sigmoid_hidden", "bce_output"}
    assert panel.cards[0].advice.severity == "warning"  # warnings first
    with qtbot.waitSignal(panel.fixRequested) as signal:
        panel.card("bce_output").buttons[0].click()
    label, apply = signal.args
    assert label == "Sigmoid output"
    apply(project)
    panel.set_project(project)
    assert panel.card("bce_output") is None


def test_panel_says_all_good_when_there_is_nothing_to_fix(qtbot):
    panel = AdvisorPanel()
    qtbot.addWidget(panel)
    panel.show()
    project = Project(
        layers=[LayerSpec(8, "relu"), LayerSpec(1, "sigmoid")],
        dataset=builtin("coffee", n_samples=20),
    )
    panel.set_project(project)
    assert panel.cards == []
    assert panel._all_good.isVisible()


def test_fix_button_fixes_the_window_project_and_undo_restores(window):
    card = window.advisor.card("sigmoid_hidden")
    assert card is not None  # the course network uses sigmoid hidden layers
    card.buttons[0].click()
    assert [layer.activation for layer in window.project.layers] == ["relu", "relu", "sigmoid"]
    assert window.advisor.card("sigmoid_hidden") is None
    assert window.undo_stack.count() == 1
    window.undo()
    assert [layer.activation for layer in window.project.layers] == ["sigmoid"] * 3
    assert window.advisor.card("sigmoid_hidden") is not None


def test_multiclass_fix_after_a_dataset_change(window):
    from engine.project import DatasetSource

    iris = builtin("iris")
    window.dataset_panel.datasetChangeRequested.emit(DatasetSource.from_dataset(iris), iris)
    # The switch itself gives the output and loss the multiclass choice ...
    assert window.advisor.card("multiclass_target") is None
    # ... and when the person then picks a loss that does not fit, the advisor fixes it.
    combo = window.training_settings.loss_combo
    combo.setCurrentIndex(combo.findData("binary_crossentropy"))
    assert window.project.compile.loss == "binary_crossentropy"
    card = window.advisor.card("multiclass_target")
    assert card is not None
    card.buttons[0].click()
    out = window.project.layers[-1]
    assert (out.units, out.activation) == (3, "softmax")
    assert window.project.compile.loss == "sparse_categorical_crossentropy"
    assert window.training_settings.loss_combo.currentData() == "sparse_categorical_crossentropy"


def test_fix_buttons_have_tooltips_and_accessible_names(window):
    for card in window.advisor.cards:
        assert card.label.accessibleName()
        for button in card.buttons:
            assert button.toolTip() and button.accessibleName().startswith("Fix: ")


def test_replaced_cards_disappear_at_once(qtbot):
    from app.builder.advisor import AdviceCard

    panel = AdvisorPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_project(Project(layers=[LayerSpec(8, "sigmoid"), LayerSpec(1, "sigmoid")]))
    panel.set_project(
        Project(
            layers=[LayerSpec(8, "linear"), LayerSpec(1, "linear")], compile=CompileSpec(loss="mse")
        )
    )
    shown = [c for c in panel.findChildren(AdviceCard) if c.isVisible()]
    assert shown == panel.cards and panel.cards[0].advice.rule == "all_linear"
