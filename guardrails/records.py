"""Plain slotted classes with a field-wise ``repr`` and equality.

``@dataclass`` compiles each class's methods when its module is imported (0.3 to 0.6 ms a
class on the benchmark machine), and a scan of one small file imports some forty of them:
a tenth of its run. The classes every scan imports are written out instead, on this base:
their ``__init__`` is ordinary code that Python caches with the module, and ``__slots__``
lists the fields in order.
"""

from __future__ import annotations

from typing import Any, ClassVar


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
