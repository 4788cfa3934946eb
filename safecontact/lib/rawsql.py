"""Hand-written SQL that gives back the same model instances as the ORM.

On the send path, building and compiling a one-row ORM query costs ten to
twenty times the query itself (docs/performance.md). Here the SQL is written
by hand, but the values go through exactly the converters Django's compiler
would apply (dates, UUIDs, JSON, encrypted fields, timezones on both
databases), so the instances are the ORM's own. Each hand-written query on
the send path has a test comparing its answers with the ORM's.

Write SQL with ``%s`` placeholders and double-quoted names: both SQLite and
PostgreSQL accept them through Django's cursor.

The statements run on the database driver's own cursor (``execute``), as
Django's cursor would run them but without its wrapper's per-statement work,
except when queries are being recorded (DEBUG, ``CaptureQueriesContext`` in
the query budget tests) or an execute wrapper is installed: then through
Django's cursor, so that every statement is seen.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, Field, Model

Converter = tuple[int, list[Callable[..., Any]], Any]

_CACHE = "_safecontact_rawsql"


def _db() -> BaseDatabaseWrapper:
    """The default connection itself. ``django.db.connection`` is a proxy
    that looks the thread's connection up again on every attribute (about
    80 times a send through it, before this)."""
    return connections[DEFAULT_DB_ALIAS]


def _cached(key: Any, build: Callable[[], Any]) -> Any:
    """A per-connection cache: converters are bound to the connection's
    backend, and each thread has its own connection."""
    store = _db().__dict__.setdefault(_CACHE, {})
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
    """The fields an INSERT writes (all but the automatic key), and those it
    gets back (the key, and the fields with a database default). A field with
    a database default is written with the object's value, as the ORM does;
    an object left to the database's default falls back to the ORM."""
    concrete = model._meta.concrete_fields
    auto = model._meta.auto_field
    return (
        [f for f in concrete if f is not auto and not f.generated],
        [f for f in concrete if f.db_returning],
    )


def _converters(model: type[Model]) -> list[Converter]:
    def build() -> list[Converter]:
        db = _db()
        found: list[Converter] = []
        for i, field in enumerate(model._meta.concrete_fields):
            col = field.get_col(model._meta.db_table)
            convs = db.ops.get_db_converters(col) + col.get_db_converters(db)
            if convs:
                found.append((i, convs, col))
        return found

    return _cached(("converters", model), build)  # type: ignore[no-any-return]


def instance[M: Model](model: type[M], row: Sequence[Any], start: int = 0) -> M:
    """The ``model`` instance in ``row[start:start + width(model)]``."""
    db = _db()
    values = list(row[start : start + width(model)])
    for i, convs, col in _converters(model):
        value = values[i]
        for convert in convs:
            value = convert(value, col, db)
        values[i] = value
    return model.from_db(db.alias, (), values)  # type: ignore[return-value]


def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """The rows ``sql`` gives (``execute`` it and fetch every row)."""
    return execute(sql, params, rows=True)


# Django's own conversion for SQLite (``SQLiteCursorWrapper.convert_query``):
# "format" style to "qmark" style, "%%" to "%".
_FORMAT = re.compile(r"(?<!%)%s")


@functools.lru_cache(maxsize=512)
def _qmark(sql: str) -> str:
    return _FORMAT.sub("?", sql).replace("%%", "%")


def execute(
    sql: str, params: Sequence[Any] = (), *, rows: bool = False
) -> list[tuple[Any, ...]]:
    """Run one statement in the caller's transaction; its rows if ``rows``.

    What ``connection.cursor()`` and its ``execute`` do, in the same order
    (health check, connection, thread check, no statement after an error in
    an ``atomic`` block, Django's exceptions for the driver's), on the
    driver's cursor. Through Django's cursor when statements are recorded.
    """
    db = _db()
    if db.queries_logged or db.execute_wrappers:
        with db.cursor() as wrapped:
            wrapped.execute(sql, params)
            return wrapped.fetchall() if rows else []
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        if db.vendor == "sqlite":
            cursor = db.connection.execute(_qmark(sql), params)
            try:
                return cursor.fetchall() if rows else []
            finally:
                cursor.close()
        # The backend's cursor (psycopg's, with Django's time zone), closed
        # also when the statement fails.
        with db.create_cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if rows else []


def placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def prep(model: type[Model], field: str, value: Any) -> Any:
    """``value`` as the database stores ``model.field`` (a UUID as hex on
    SQLite, for instance)."""
    return model._meta.get_field(field).get_db_prep_value(  # type: ignore[union-attr]
        value, _db()
    )


def field_value(model: type[Model], field: str, value: Any) -> Any:
    """A single column's value as the ORM would give it."""

    db = _db()

    def build() -> tuple[Any, list[Callable[..., Any]]]:
        col = model._meta.get_field(field).get_col(model._meta.db_table)  # type: ignore[union-attr]
        convs = db.ops.get_db_converters(col) + col.get_db_converters(db)
        return col, convs

    col, convs = _cached(("field", model, field), build)
    for convert in convs:
        value = convert(value, col, db)
    return value


@dataclasses.dataclass(slots=True)
class Insert:
    """An INSERT built ahead of its transaction (``prepare_insert``); ``run``
    fills in what could not be known yet and executes it."""

    model: type[Model]
    objs: Sequence[Model]
    sql: str = ""
    values: list[Any] = dataclasses.field(default_factory=list)
    # (index in values, the object, its field, the related object or None):
    # a foreign key to an object saved later, or a field named in ``later``.
    late: list[tuple[int, Model, Field[Any, Any], Model | None]] = dataclasses.field(
        default_factory=list
    )
    fallback: bool = False  # a value left to the database: bulk_create at run


def prepare_insert(
    model: type[Model], objs: Sequence[Model], *, later: Iterable[str] = ()
) -> Insert:
    """``insert(model, objs)`` made ready to run, with every value prepared
    (``pre_save``, ``get_db_prep_save``) now, except: the fields named in
    ``later``, read from the objects when it runs, and the foreign keys to
    objects not saved yet (saved before it runs, in the same transaction),
    which take those objects' keys when it runs.

    So the work that does not depend on the database's state can be done
    before a lock is taken, and only the statement runs under it.
    """
    pending = Insert(model, objs)
    if not objs:
        return pending
    fields, returning = _insertable(model)
    deferred = set(later)
    db, values = _db(), pending.values
    for obj in objs:
        for f in fields:
            related = _related(obj, f)
            if f.name in deferred or (related is not None and related.pk is None):
                pending.late.append((len(values), obj, f, related))
                values.append(None)
                continue
            value = f.pre_save(obj, True)
            if isinstance(value, Expression):
                pending.fallback = True
                return pending
            values.append(f.get_db_prep_save(value, db))
    names = ", ".join(f'"{f.column}"' for f in fields)
    one = f"({placeholders(len(fields))})"
    pending.sql = (
        f'INSERT INTO "{model._meta.db_table}" ({names}) VALUES '  # noqa: S608
        f"{', '.join([one] * len(objs))} RETURNING "
        + ", ".join(f'"{f.column}"' for f in returning)
    )
    return pending


def _related(obj: Model, f: Field[Any, Any]) -> Model | None:
    """What ``_prepare_related_fields_for_save`` checks for ``f``: the related
    object cached on ``obj`` (None when there is none). A related object
    saved after it was assigned gives its key now."""
    if not (f.is_relation and f.is_cached(obj)):  # type: ignore[attr-defined]
        return None
    related: Model | None = f.get_cached_value(obj)  # type: ignore[attr-defined]
    if related is None or related.pk is None:
        return related
    if getattr(obj, f.attname) in f.empty_values:
        setattr(obj, f.attname, related.pk)
    if getattr(related, f.target_field.attname) != getattr(obj, f.attname):  # type: ignore[attr-defined]
        f.delete_cached_value(obj)  # type: ignore[attr-defined]
    return related


def run(pending: Insert) -> None:
    """Execute an ``Insert`` inside the caller's transaction."""
    model, objs = pending.model, pending.objs
    if not objs:
        return
    if pending.fallback:
        model.objects.bulk_create(objs)  # type: ignore[attr-defined]
        return
    db, values = _db(), pending.values
    for i, obj, f, related in pending.late:
        if related is not None:
            if related.pk is None:
                # As save() and bulk_create refuse it.
                raise ValueError(
                    f"insert() prohibited to prevent data loss due to unsaved "
                    f"related object '{f.name}'."
                )
            setattr(obj, f.attname, related.pk)
        values[i] = f.get_db_prep_save(f.pre_save(obj, True), db)
    keys = execute(pending.sql, values, rows=True)
    _, returning = _insertable(model)
    for obj, key in zip(objs, keys, strict=True):
        for f, value in zip(returning, key, strict=True):
            setattr(obj, f.attname, field_value(model, f.name, value))
        obj._state.adding = False
        obj._state.db = db.alias


def insert(model: type[Model], objs: Sequence[Model]) -> None:
    """``model.objects.bulk_create(objs)`` in one statement with ``RETURNING``
    the primary keys, without the ORM's query building. Every field's value
    is made as ``save()`` makes it (``pre_save``, ``get_db_prep_save``). A
    value left to the database (``db_default`` alone) falls back to the ORM.
    No signals are sent: none of the models written this way has receivers.
    """
    run(prepare_insert(model, objs))


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
