"""One small registry shared by activations, losses, optimizers, initializers, regularizers
and metrics: the Keras pattern of "register by name with aliases; get() accepts a name, an
alias, a class name, a config dict, a class or an instance; serialize() gives JSON"."""

from __future__ import annotations

from typing import Any

from .errors import EngineTypeError, UnknownNameError


class Registry:
    """Name -> class table for one kind of object (e.g. "loss").

    Canonical names are snake_case ("binary_crossentropy"); aliases ("bce") and the class
    name ("BinaryCrossentropy") resolve to the same class. Lookups are case-sensitive for
    canonical names and aliases, exactly like Keras, but a class name also matches.
    """

    def __init__(self, kind: str, base: type):
        self.kind = kind
        self.base = base
        self._canonical: dict[str, type] = {}
        self._lookup: dict[str, type] = {}

    def register(self, name: str, *aliases: str):
        """Class decorator: register `cls` under `name` (its canonical name) and `aliases`."""

        def decorator(cls: type) -> type:
            cls.registered_name = name
            self._canonical[name] = cls
            for key in (name, *aliases, cls.__name__):
                self._lookup[key] = cls
            return cls

        return decorator

    def available(self) -> list[str]:
        """Canonical names, in registration order."""
        return list(self._canonical)

    def classes(self) -> list[type]:
        return list(self._canonical.values())

    def lookup_class(self, name: str) -> type:
        cls = self._lookup.get(name)
        if cls is None:
            raise UnknownNameError(
                f"Unknown {self.kind}: {name!r}. Received: {self.kind}={name!r}. "
                f"Valid names are: {', '.join(self.available())}."
            )
        return cls

    def get(self, identifier: Any):
        """Resolve `identifier` to an instance of a registered class.

        Accepts an instance (returned as is), a class (instantiated with defaults), a name or
        alias, or a config dict {"class_name": ..., "config": {...}} as serialize() writes it.
        """
        if isinstance(identifier, self.base):
            return identifier
        if isinstance(identifier, type) and issubclass(identifier, self.base):
            return identifier()
        if isinstance(identifier, str):
            return self.lookup_class(identifier)()
        if isinstance(identifier, dict):
            return self.deserialize(identifier)
        raise EngineTypeError(
            f"Could not interpret {self.kind} identifier. Received: {self.kind}={identifier!r} "
            f"(type {type(identifier).__name__}). Pass a name (one of "
            f"{', '.join(self.available())}), a class, an instance or a config dict."
        )

    def serialize(self, obj) -> dict[str, Any]:
        """{"class_name": canonical name, "config": obj.get_config()} -- JSON-safe."""
        return {"class_name": obj.registered_name, "config": obj.get_config()}

    def deserialize(self, config: dict[str, Any] | str):
        if isinstance(config, str):
            return self.get(config)
        if not isinstance(config, dict) or "class_name" not in config:
            raise EngineTypeError(
                f"A {self.kind} config must be a dict with 'class_name' and 'config'. "
                f"Received: config={config!r}"
            )
        cls = self.lookup_class(config["class_name"])
        return cls.from_config(dict(config.get("config") or {}))


class Serializable:
    """Mixin: get_config() returns the constructor arguments; from_config(cfg) calls the
    constructor with them. Subclasses list their arguments in `_config_keys`."""

    registered_name = ""
    _config_keys: tuple[str, ...] = ()

    def get_config(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self._config_keys}

    @classmethod
    def from_config(cls, config: dict[str, Any]):
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
