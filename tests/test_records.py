"""The record bases behave as the stdlib classes they replace (dataclass, NamedTuple)."""

from __future__ import annotations

import pickle
from typing import ClassVar

import pytest

from guardrails.records import Frozen, Record


class Point(Frozen):
    x: int
    y: int = 0
    label: str = ""
    unit: ClassVar[str] = "px"

    def moved(self, by: int) -> Point:
        return self._replace(x=self.x + by)


class Labelled(Point):
    """A subclass with no fields of its own keeps its parent's."""


def test_frozen_is_a_tuple_with_named_fields_and_defaults() -> None:
    point = Point(1, label="a")
    assert point == (1, 0, "a")
    assert (point.x, point.y, point.label) == (1, 0, "a")
    assert Point._fields == ("x", "y", "label")
    assert Point.unit == "px"
    assert hash(point) == hash((1, 0, "a"))
    assert repr(point) == "Point(x=1, y=0, label='a')"
    assert point._asdict() == {"x": 1, "y": 0, "label": "a"}
    assert point.moved(2) == Point(3, 0, "a")
    assert type(point.moved(2)) is Point


def test_frozen_subclass_and_pickle_round_trip() -> None:
    item = Labelled(4, 5)
    assert type(item) is Labelled and item.y == 5
    for value in (Point(1, 2, "b"), item):
        copy = pickle.loads(pickle.dumps(value))
        assert copy == value and type(copy) is type(value)


def test_frozen_is_immutable() -> None:
    point = Point(1)
    with pytest.raises(AttributeError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        point.z = 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "make",
    [
        lambda: Point(),
        lambda: Point(1, 2, "c", 4),
        lambda: Point(1, z=2),
        lambda: Point(1, x=2),
        lambda: Point(1)._replace(z=3),
    ],
    ids=["missing", "too-many", "unknown-keyword", "twice", "replace-unknown"],
)
def test_frozen_rejects_calls_a_function_would_reject(make: object) -> None:
    with pytest.raises(TypeError):
        make()  # type: ignore[operator]


def test_frozen_refuses_a_required_field_after_a_default() -> None:
    with pytest.raises(TypeError, match="without a default follows"):

        class Broken(Frozen):
            a: int = 1
            b: int


class Box(Record):
    __slots__ = ("height", "width")

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height


def test_record_compares_field_by_field_and_is_not_hashable() -> None:
    assert Box(1, 2) == Box(1, 2) and Box(1, 2) != Box(2, 1)
    assert repr(Box(1, 2)) == "Box(height=2, width=1)"  # fields in __slots__ order
    with pytest.raises(TypeError):
        hash(Box(1, 2))
    with pytest.raises(AttributeError):
        Box(1, 2).depth = 3  # type: ignore[attr-defined]


def test_frozen_refuses_fields_it_could_not_keep_apart() -> None:
    with pytest.raises(TypeError, match="cannot add fields"):

        class MorePoint(Point):
            z: int = 0

    with pytest.raises(TypeError, match="underscore"):

        class Hidden(Frozen):
            _cls: int
