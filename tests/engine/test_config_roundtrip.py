"""get_config -> JSON -> from_config -> get_config gives the same config, for every registered
object (with default and with non-default settings) and for whole models."""

from __future__ import annotations

import json

import numpy as np
import pytest

import engine
from engine import activations, initializers, losses, metrics, optimizers, regularizers
from engine.errors import EngineTypeError, UnknownNameError
from engine.layers import Dense

MODULES = [activations, losses, optimizers, initializers, regularizers, metrics]

NON_DEFAULT = {
    "leaky_relu": {"negative_slope": 0.1},
    "elu": {"alpha": 0.5},
    "binary_crossentropy": {"from_logits": True},
    "categorical_crossentropy": {"from_logits": True},
    "sparse_categorical_crossentropy": {"from_logits": True},
    "huber": {"delta": 2.5},
    "sgd": {"learning_rate": 0.5, "momentum": 0.9, "nesterov": True},
    "rmsprop": {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "centered": True},
    "adam": {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.99, "amsgrad": True},
    "random_normal": {"mean": 1.0, "stddev": 2.0, "seed": 3},
    "random_uniform": {"minval": -1.0, "maxval": 2.0, "seed": 4},
    "glorot_uniform": {"seed": 7},
    "l1": {"l1": 0.5},
    "l2": {"l2": 0.25},
    "l1_l2": {"l1": 0.1, "l2": 0.2},
    "binary_accuracy": {"name": "acc", "threshold": 0.7},
}


def _registered():
    for module in MODULES:
        for cls in module._registry.classes():
            yield module, cls


def _json(value):
    return json.loads(json.dumps(value))


@pytest.mark.parametrize(
    ("module", "cls"),
    list(_registered()),
    ids=[f"{m.__name__.split('.')[-1]}.{c.registered_name}" for m, c in _registered()],
)
@pytest.mark.parametrize("settings", ["default", "custom"])
def test_registered_object_round_trips_through_json(module, cls, settings):
    kwargs = NON_DEFAULT.get(cls.registered_name, {}) if settings == "custom" else {}
    obj = cls(**kwargs)
    serialized = _json(module.serialize(obj))
    restored = module.deserialize(serialized)
    assert type(restored) is cls
    assert restored.get_config() == obj.get_config()
    assert _json(module.serialize(restored)) == serialized
    for key, value in kwargs.items():  # the custom settings really survived
        assert getattr(restored, key) == value


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_get_accepts_name_class_instance_and_config(module):
    cls = module._registry.classes()[0]
    name = cls.registered_name
    assert type(module.get(name)) is cls
    assert type(module.get(cls)) is cls
    instance = cls()
    assert module.get(instance) is instance
    assert type(module.get(module.serialize(instance))) is cls


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_unknown_names_list_the_valid_ones(module):
    with pytest.raises(UnknownNameError) as info:
        module.get("no_such_thing")
    message = str(info.value)
    assert "Received:" in message and "'no_such_thing'" in message
    for name in module._registry.available():
        assert name in message


def test_wrong_identifier_type_is_a_type_error():
    with pytest.raises(EngineTypeError, match="Received: loss=42"):
        losses.get(42)


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("bce", "binary_crossentropy"),
        ("BinaryCrossentropy", "binary_crossentropy"),
        ("mse", "mean_squared_error"),
        ("mae", "mean_absolute_error"),
        ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy"),
        ("cce", "categorical_crossentropy"),
    ],
)
def test_loss_aliases(alias, canonical):
    assert losses.get(alias).name == canonical


def test_swish_is_silu():
    assert activations.get("swish").name == "silu"
    assert activations.get(None).name == "linear"


def test_canonical_name_lists_match_the_contract():
    assert activations.available() == [
        "linear",
        "sigmoid",
        "relu",
        "tanh",
        "softmax",
        "leaky_relu",
        "elu",
        "softplus",
        "silu",
    ]
    assert optimizers.available() == ["sgd", "rmsprop", "adam"]
    assert set(initializers.available()) == {
        "glorot_uniform",
        "glorot_normal",
        "he_normal",
        "he_uniform",
        "lecun_normal",
        "random_normal",
        "random_uniform",
        "zeros",
        "ones",
    }


def _model():
    return engine.Sequential(
        [
            engine.Input(shape=(3,)),
            Dense(
                4,
                activation="relu",
                kernel_initializer="he_normal",
                kernel_regularizer=regularizers.L2(0.001),
                name="hidden",
            ),
            Dense(
                3, activation=activations.LeakyReLU(0.1), use_bias=False, bias_initializer="ones"
            ),
            Dense(2, activation="softmax", kernel_initializer=initializers.RandomNormal(0, 1)),
        ],
        name="classifier",
    )


def test_model_config_round_trips_through_json():
    model = _model()
    config = _json(model.get_config())
    restored = engine.Sequential.from_config(config)
    assert _json(restored.get_config()) == config
    assert restored.name == "classifier"
    assert [layer.name for layer in restored.layers] == [layer.name for layer in model.layers]
    assert restored.layers[1].activation.negative_slope == 0.1
    assert restored.layers[1].bias is None
    assert restored.layers[0].kernel_regularizer.l2 == 0.001
    assert [w.shape for w in restored.get_weights()] == [w.shape for w in model.get_weights()]


def test_model_config_without_input_builds_on_data():
    model = engine.Sequential([Dense(2, activation="sigmoid")])
    restored = engine.Sequential.from_config(_json(model.get_config()))
    assert not restored.built
    assert restored.predict(np.zeros((1, 5))).shape == (1, 2)


def test_compile_config_round_trips():
    model = _model()
    model.compile(
        optimizer=optimizers.Adam(0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    config = _json(model.get_compile_config())
    other = _model()
    other.compile_from_config(config)
    assert other.optimizer.learning_rate == 0.01
    assert other.loss.name == "sparse_categorical_crossentropy"
    assert other.metrics_names == ["loss", "accuracy"]


def test_dense_layer_config_round_trip():
    layer = Dense(7, activation="elu", use_bias=False, name="d")
    restored = Dense.from_config(_json(layer.get_config()))
    assert restored.get_config() == layer.get_config()


def test_reads_a_keras3_sequential_config():
    """Configs written by Keras 3 (module/registered_name keys, dtype policies, constraints)
    load: the engine speaks Keras."""
    policy = {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": "float32"},
        "registered_name": None,
    }
    config = {
        "name": "sequential",
        "trainable": True,
        "dtype": policy,
        "layers": [
            {
                "module": "keras.layers",
                "class_name": "InputLayer",
                "registered_name": None,
                "config": {
                    "batch_shape": [None, 2],
                    "dtype": "float32",
                    "sparse": False,
                    "name": "input_layer",
                },
            },
            {
                "module": "keras.layers",
                "class_name": "Dense",
                "registered_name": None,
                "build_config": {"input_shape": [None, 2]},
                "config": {
                    "name": "dense",
                    "trainable": True,
                    "dtype": policy,
                    "units": 3,
                    "activation": "relu",
                    "use_bias": True,
                    "kernel_initializer": {
                        "module": "keras.initializers",
                        "class_name": "GlorotUniform",
                        "config": {"seed": None},
                        "registered_name": None,
                    },
                    "bias_initializer": {
                        "module": "keras.initializers",
                        "class_name": "Zeros",
                        "config": {},
                        "registered_name": None,
                    },
                    "kernel_regularizer": {
                        "module": "keras.regularizers",
                        "class_name": "L2",
                        "config": {"l2": 0.01},
                        "registered_name": None,
                    },
                    "bias_regularizer": None,
                    "kernel_constraint": None,
                    "bias_constraint": None,
                },
            },
        ],
    }
    model = engine.Sequential.from_config(config)
    layer = model.layers[0]
    assert model.input_shape == (None, 2) and layer.units == 3
    assert layer.activation.name == "relu" and layer.kernel_regularizer.l2 == 0.01
    assert isinstance(layer.kernel_initializer, initializers.GlorotUniform)
