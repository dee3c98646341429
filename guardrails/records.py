"""Record classes that cost nothing to define.

A scan of one small file imports about a hundred modules, so what a class costs when its module
is imported counts. ``@dataclass`` compiles each class's methods then (0.3 to 0.6 ms a class on
the benchmark machine), and so does ``typing.NamedTuple``: its ``__new__`` is compiled from
source and every annotation string becomes a compiled ``ForwardRef`` (0.15 to 0.5 ms a class,
some forty of them per scan). The two bases here are written out once instead:

- ``Record``: mutable, slotted; its subclasses write their ``__init__`` as ordinary code that
  Python caches with the module, and ``__slots__`` lists the fields in order.
- ``Frozen``: an immutable tuple, declared as a ``NamedTuple`` is (annotated fields, defaults),
  with the same ``_fields``, ``_replace``, ``repr``, equality, hashing and pickling.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, ClassVar, TypeVar


class Record:
    __slots__ = ()
    # Every field, base classes first (``__slots__`` of each class in the hierarchy).
    _fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._fields = (*cls.__base__._fields, *cls.__dict__.get("__slots__", ()))  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({inner})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._fields)

    # Mutable and compared by value, as a dataclass with ``eq``: not hashable.
    __hash__ = None  # type: ignore[assignment]


_Frozen = TypeVar("_Frozen", bound="Frozen")

try:  # CPython's C field getter, the one namedtuple uses: a third faster than a property
    from collections import _tuplegetter  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other interpreters

    def _tuplegetter(index: int, doc: str) -> Any:
        return property(itemgetter(index), doc=doc)


class _FrozenType(type):
    """Turns a ``Frozen`` subclass's annotated names into tuple fields, in order, before the
    class exists: the defaults move from the class body to ``_defaults`` (those of the last
    fields, as for a function's parameters), and each name becomes an item getter."""

    def __new__(mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> type:
        namespace.setdefault("__slots__", ())
        annotations: dict[str, Any] = namespace.get("__annotations__", {})
        fields = tuple(
            key for key, kind in annotations.items() if not str(kind).startswith(("ClassVar", "typing.ClassVar"))
        )
        if fields and any(getattr(base, "_fields", ()) for base in bases):
            raise TypeError(f"{name}: a Frozen class's subclass cannot add fields (its getters would hide the base's)")
        if any(key.startswith("_") for key in fields):  # the compiled __new__ names its own locals _cls, _new
            raise TypeError(f"{name}: a field name cannot start with an underscore")
        if fields:
            first = next((i for i, key in enumerate(fields) if key in namespace), len(fields))
            if any(key not in namespace for key in fields[first:]):
                raise TypeError(f"{name}: a field without a default follows one with a default")
            namespace["_fields"] = fields
            namespace["__match_args__"] = fields
            namespace["_defaults"] = tuple(namespace.pop(key) for key in fields[first:])
            for i, key in enumerate(fields):
                namespace[key] = _tuplegetter(i, f"Field {i} of {name}.")
        return super().__new__(mcls, name, bases, namespace)


class Frozen(tuple, metaclass=_FrozenType):  # type: ignore[type-arg]
    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[tuple[Any, ...]] = ()

    def __new__(cls: type[_Frozen], *args: Any, **kwargs: Any) -> _Frozen:
        """The first instance of a class compiles its exact ``__new__`` (parameters named after
        the fields, with their defaults), as ``namedtuple`` does for every class when it is
        defined: a class a run never instantiates costs nothing."""
        code = f"lambda _cls, {', '.join(cls._fields)}: _new(_cls, ({', '.join(cls._fields)},))"
        new = eval(code, {"_new": tuple.__new__})
        new.__name__ = "__new__"
        new.__qualname__ = f"{cls.__qualname__}.__new__"
        new.__defaults__ = cls._defaults or None
        cls.__new__ = new  # type: ignore[method-assign]
        return new(cls, *args, **kwargs)

    def _replace(self: _Frozen, **changes: Any) -> _Frozen:
        return type(self)(**{**self._asdict(), **changes})

    def _asdict(self) -> dict[str, Any]:
        return dict(zip(self._fields, self, strict=True))

    def __getnewargs__(self) -> tuple[Any, ...]:
        return tuple(self)

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self, strict=True))
        return f"{type(self).__name__}({inner})"
