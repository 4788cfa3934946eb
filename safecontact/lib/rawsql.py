"""Hand-written SQL that gives back the same model instances as the ORM.

On the send path, building and compiling a one-row ORM query costs ten to
twenty times the query itself (docs/performance.md). Here the SQL is written
by hand, but the values go through exactly the converters Django's compiler
would apply (dates, UUIDs, JSON, encrypted fields, timezones on both
databases), so the instances are the ORM's own. Each hand-written query on
the send path has a test comparing its answers with the ORM's.

Write SQL with ``%s`` placeholders and double-quoted names: both SQLite and
PostgreSQL accept them through Django's cursor.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Expression, Field, Model

Converter = tuple[int, list[Callable[..., Any]], Any]

_CACHE = "_safecontact_rawsql"


def _cached(key: Any, build: Callable[[], Any]) -> Any:
    """A per-connection cache: converters are bound to the connection's
    backend, and each thread has its own connection."""
    store = connection.__dict__.setdefault(_CACHE, {})
    if key not in store:
        store[key] = build()
    return store[key]


@functools.cache
def columns(model: type[Model], alias: str) -> str:
    """``alias."col", ...`` for every concrete field, in model order."""
    names = [f.column for f in model._meta.concrete_fields]
    return ", ".join(f'"{alias}"."{name}"' for name in names)


@functools.cache
def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


@functools.cache
def _insertable(
    model: type[Model],
) -> tuple[list[Field[Any, Any]], list[Field[Any, Any]]]:
    """The fields an INSERT writes, and those it gets back (the key)."""
    concrete = model._meta.concrete_fields
    return (
        [f for f in concrete if not f.db_returning],
        [f for f in concrete if f.db_returning],
    )


def _converters(model: type[Model]) -> list[Converter]:
    def build() -> list[Converter]:
        found: list[Converter] = []
        for i, field in enumerate(model._meta.concrete_fields):
            col = field.get_col(model._meta.db_table)
            convs = connection.ops.get_db_converters(col) + col.get_db_converters(
                connection
            )
            if convs:
                found.append((i, convs, col))
        return found

    return _cached(("converters", model), build)  # type: ignore[no-any-return]


def instance[M: Model](model: type[M], row: Sequence[Any], start: int = 0) -> M:
    """The ``model`` instance in ``row[start:start + width(model)]``."""
    values = list(row[start : start + width(model)])
    for i, convs, col in _converters(model):
        value = values[i]
        for convert in convs:
            value = convert(value, col, connection)
        values[i] = value
    return model.from_db(connection.alias, (), values)  # type: ignore[return-value]


def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def prep(model: type[Model], field: str, value: Any) -> Any:
    """``value`` as the database stores ``model.field`` (a UUID as hex on
    SQLite, for instance)."""
    return model._meta.get_field(field).get_db_prep_value(  # type: ignore[union-attr]
        value, connection
    )


def field_value(model: type[Model], field: str, value: Any) -> Any:
    """A single column's value as the ORM would give it."""

    def build() -> tuple[Any, list[Callable[..., Any]]]:
        col = model._meta.get_field(field).get_col(model._meta.db_table)  # type: ignore[union-attr]
        convs = connection.ops.get_db_converters(col) + col.get_db_converters(
            connection
        )
        return col, convs

    col, convs = _cached(("field", model, field), build)
    for convert in convs:
        value = convert(value, col, connection)
    return value


def insert(model: type[Model], objs: Sequence[Model]) -> None:
    """``model.objects.bulk_create(objs)`` in one statement with ``RETURNING``
    the primary keys, without the ORM's query building. Every field's value
    is made as ``save()`` makes it (``pre_save``, ``get_db_prep_save``). A
    value left to the database (``db_default`` alone) falls back to the ORM.
    No signals are sent: none of the models written this way has receivers.
    """
    if not objs:
        return
    meta = model._meta
    fields, returning = _insertable(model)
    rows: list[Any] = []
    for obj in objs:
        # As bulk_create does: a related object saved after it was assigned
        # gives its key now (and an unsaved one is refused).
        obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
        values = [f.pre_save(obj, True) for f in fields]
        if any(isinstance(v, Expression) for v in values):
            model.objects.bulk_create(objs)  # type: ignore[attr-defined]
            return
        rows.extend(
            f.get_db_prep_save(v, connection)
            for f, v in zip(fields, values, strict=True)
        )
    names = ", ".join(f'"{f.column}"' for f in fields)
    one = f"({placeholders(len(fields))})"
    sql = (
        f'INSERT INTO "{meta.db_table}" ({names}) VALUES '  # noqa: S608
        f"{', '.join([one] * len(objs))} RETURNING "
        + ", ".join(f'"{f.column}"' for f in returning)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, rows)
        keys = cursor.fetchall()
    for obj, key in zip(objs, keys, strict=True):
        for field, value in zip(returning, key, strict=True):
            setattr(obj, field.attname, field_value(model, field.name, value))
        obj._state.adding = False
        obj._state.db = connection.alias


def cache_related(obj: Model, name: str, value: Model | None) -> None:
    """What ``select_related(name)`` leaves on ``obj``."""
    obj._state.fields_cache[name] = value


def cache_prefetched[M: Model](
    obj: Model, name: str, model: type[M], rows: Iterable[M]
) -> None:
    """What ``prefetch_related(name)`` leaves on ``obj``: ``obj.name.all()``
    answers from ``rows`` without a query."""
    from django.db.models.query import QuerySet

    found: QuerySet[M] = QuerySet(model=model)
    found._result_cache = list(rows)
    found._prefetch_done = True  # type: ignore[attr-defined]
    if not hasattr(obj, "_prefetched_objects_cache"):
        obj._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    obj._prefetched_objects_cache[name] = found  # type: ignore[attr-defined]
