"""The advisor's rules, Qt-free: each rule fires when it should, stays quiet when the network
already follows the advice, and its fix makes it quiet."""

from __future__ import annotations

import pytest

from engine.data import builtin
from engine.project import CompileSpec, LayerSpec, Project
from engine.project import advice as rules


def make(layers, loss="binary_crossentropy", dataset=None, from_logits=False) -> Project:
    return Project(
        name="t",
        layers=[LayerSpec(u, a) for u, a in layers],
        compile=CompileSpec(loss=loss, from_logits=from_logits),
        dataset=dataset,
    )


@pytest.fixture(scope="module")
def coffee():
    return builtin("coffee", n_samples=40)


@pytest.fixture(scope="module")
def iris():
    return builtin("iris")


@pytest.fixture(scope="module")
def sine():  # regression target with negative values
    return builtin("sine", n_samples=40)


@pytest.fixture(scope="module")
def positive():  # regression target that is never negative
    data = builtin("linear", n_samples=40)
    assert data.y.min() >= 0
    return data


def rule_ids(project):
    return {a.rule for a in rules.check(project)}


def fix_and_recheck(project, rule):
    advice = next(a for a in rules.check(project) if a.rule == rule)
    assert advice.fixes, f"rule {rule} has no fix"
    advice.fixes[0].apply(project)
    return rule_ids(project)


def test_the_course_advice_for_binary_data_raises_no_warning(coffee):
    good = make([(16, "relu"), (1, "sigmoid")], dataset=coffee)
    assert rules.check(good) == []


def test_binary_target_asks_for_sigmoid_and_binary_crossentropy(coffee):
    project = make([(16, "relu"), (1, "linear")], loss="mean_squared_error", dataset=coffee)
    assert "binary_target" in rule_ids(project)
    assert "binary_target" not in fix_and_recheck(project, "binary_target")
    assert project.layers[-1].activation == "sigmoid"
    assert project.compile.loss == "binary_crossentropy"
    assert project.compile.metrics == ["accuracy"]


def test_multiclass_target_asks_for_softmax_with_one_unit_per_class(iris):
    project = make([(16, "relu"), (1, "sigmoid")], dataset=iris)
    ids = rule_ids(project)
    assert "multiclass_target" in ids and "output_units" not in ids  # one hint, not two
    fix_and_recheck(project, "multiclass_target")
    out = project.layers[-1]
    assert (out.units, out.activation) == (3, "softmax")
    assert project.compile.loss == "sparse_categorical_crossentropy"
    assert rules.check(project) == []


def test_multiclass_accepts_linear_output_with_from_logits(iris):
    project = make(
        [(16, "relu"), (3, "linear")],
        loss="sparse_categorical_crossentropy",
        dataset=iris,
        from_logits=True,
    )
    assert "multiclass_target" not in rule_ids(project)


def test_signed_regression_asks_for_linear_output_and_mse(sine):
    project = make([(16, "relu"), (1, "sigmoid")], dataset=sine)
    assert "signed_regression" in rule_ids(project)
    remaining = fix_and_recheck(project, "signed_regression")
    assert "signed_regression" not in remaining
    assert (project.layers[-1].activation, project.compile.loss) == ("linear", "mean_squared_error")
    assert project.compile.metrics == []


def test_nonnegative_regression_suggests_relu_output(positive):
    project = make([(16, "relu"), (1, "linear")], loss="mean_squared_error", dataset=positive)
    advice = next(a for a in rules.check(project) if a.rule == "nonnegative_regression")
    assert advice.severity == rules.INFO  # linear + mse works; ReLU is the course's advice
    assert "nonnegative_regression" not in fix_and_recheck(project, "nonnegative_regression")
    assert project.layers[-1].activation == "relu"
    assert project.compile.loss == "mean_squared_error"


def test_nonnegative_regression_with_a_classification_loss_is_a_warning(positive):
    project = make([(16, "relu"), (1, "relu")], loss="binary_crossentropy", dataset=positive)
    advice = next(a for a in rules.check(project) if a.rule == "nonnegative_regression")
    assert advice.severity == rules.WARNING
    advice.fixes[0].apply(project)
    assert project.compile.loss == "mean_squared_error"


def test_bce_on_a_linear_output_offers_sigmoid_or_from_logits():
    project = make([(4, "relu"), (1, "linear")])
    advice = next(a for a in rules.check(project) if a.rule == "bce_output")
    assert [f.label for f in advice.fixes] == ["Sigmoid output", "Use from_logits"]
    advice.fixes[1].apply(project)
    assert project.compile.from_logits is True
    assert "bce_output" not in rule_ids(project)


def test_bce_with_from_logits_on_a_sigmoid_output_is_flagged():
    project = make([(4, "relu"), (1, "sigmoid")], from_logits=True)
    assert "bce_output" in rule_ids(project)
    assert "bce_output" not in fix_and_recheck(project, "bce_output")
    assert project.compile.from_logits is False


def test_sigmoid_hidden_layers_suggest_relu_and_the_fix_keeps_the_output():
    project = make([(25, "sigmoid"), (15, "sigmoid"), (1, "sigmoid")])
    advice = next(a for a in rules.check(project) if a.rule == "sigmoid_hidden")
    assert "flat on both sides" in advice.message
    advice.fixes[0].apply(project)
    assert [layer.activation for layer in project.layers] == ["relu", "relu", "sigmoid"]


def test_all_linear_is_linear_regression():
    project = make([(8, "linear"), (1, "linear")], loss="mean_squared_error")
    advice = next(a for a in rules.check(project) if a.rule == "all_linear")
    assert "linear regression" in advice.message
    advice.fixes[0].apply(project)
    assert [layer.activation for layer in project.layers] == ["relu", "linear"]


def test_a_single_linear_layer_fix_adds_a_relu_hidden_layer():
    project = make([(1, "linear")], loss="mean_squared_error")
    assert "all_linear" not in fix_and_recheck(project, "all_linear")
    assert [layer.activation for layer in project.layers] == ["relu", "linear"]


def test_linear_hidden_with_sigmoid_output_is_logistic_regression():
    project = make([(8, "linear"), (4, "linear"), (1, "sigmoid")])
    advice = next(a for a in rules.check(project) if a.rule == "logistic_regression")
    assert "logistic regression" in advice.message
    assert "logistic_regression" not in fix_and_recheck(project, "logistic_regression")


def test_logistic_rule_needs_hidden_layers():
    # A lone sigmoid unit IS logistic regression; nothing to say.
    assert "logistic_regression" not in rule_ids(make([(1, "sigmoid")]))


def test_output_units_must_match_the_dataset(coffee):
    project = make([(16, "relu"), (3, "sigmoid")], dataset=coffee)
    advice = next(a for a in rules.check(project) if a.rule == "output_units")
    assert "3 units" in advice.message
    advice.fixes[0].apply(project)
    assert project.layers[-1].units == 1


def test_softmax_with_one_unit_is_flagged_even_without_data():
    project = make([(4, "relu"), (1, "softmax")], loss="categorical_crossentropy")
    assert "output_units" in rule_ids(project)


def test_no_layers_offers_an_output_layer(coffee):
    project = make([], dataset=coffee)
    assert rule_ids(project) == {"no_layers"}
    fix_and_recheck(project, "no_layers")
    assert [(layer.units, layer.activation) for layer in project.layers] == [(1, "sigmoid")]


def test_fixes_forget_trained_weights_that_no_longer_fit(coffee):
    import numpy as np

    project = make([(16, "relu"), (3, "sigmoid")], dataset=coffee)
    project.weights = [np.zeros((2, 16)), np.zeros(16), np.zeros((16, 3)), np.zeros(3)]
    project.epochs_trained = 5
    fix_and_recheck(project, "output_units")
    assert project.weights is None and project.epochs_trained == 0


def test_warnings_come_before_tips():
    project = make([(8, "sigmoid"), (1, "linear")])  # tip (sigmoid hidden) + warning (bce)
    severities = [a.severity for a in rules.check(project)]
    assert severities == sorted(severities, key=lambda s: s != rules.WARNING)
    assert severities[0] == rules.WARNING


def test_loss_aliases_are_understood(coffee):
    project = make([(16, "relu"), (1, "sigmoid")], loss="bce", dataset=coffee)
    assert rules.check(project) == []


def test_fix_labels_are_short_enough_for_a_narrow_dock(coffee, iris):
    projects = [
        make([], dataset=coffee),
        make([(4, "linear"), (1, "linear")]),
        make([(4, "relu"), (1, "linear")], dataset=iris),
        make([(8, "sigmoid"), (2, "relu")], loss="mse", dataset=coffee),
    ]
    labels = [fix.label for p in projects for a in rules.check(p) for fix in a.fixes]
    assert len(labels) >= 5
    assert max(len(label) for label in labels) <= 24, labels


def test_a_task_hint_replaces_the_narrower_output_hints(iris, sine):
    multiclass = make([(16, "relu"), (1, "linear")], dataset=iris)  # bce on linear output
    assert rule_ids(multiclass) == {"multiclass_target"}
    regression = make([(16, "relu"), (4, "relu")], dataset=sine)  # bce, 4 units, relu
    assert rule_ids(regression) == {"signed_regression"}
    fix_and_recheck(regression, "signed_regression")
    assert rules.check(regression) == []
