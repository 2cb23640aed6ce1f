"""The token lookup of every authenticated request, its SQL compiled once per connection.

``QuerySet.get()`` builds its SQL again at every call. For the token joined to its
user (some twenty columns) that building cost more than running the query, and it
is what made this lookup dearer than DRF's plain-text one (docs/tokens.md, "Cost").
Here ``TokenAuthentication.queryset`` is compiled once per database connection;
each request runs the kept SQL with its lookup id, and the row becomes the token
and its user as ``select_related`` makes them: the fields' converters, then
``Model.from_db``, then the user cached on the token.

Only the SQL is kept, never a row: each request reads the database, so a
revocation or an expiry holds at once, in every process.

What the compiler hands Django's own ``ModelIterable`` (``klass_info``,
``select``, ``get_converters()``) is not public API: tests/tokens/test_lookup.py
holds the result equal to the ORM's, on every Django the project supports.
"""

from __future__ import annotations

import logging
import secrets
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet

logger = logging.getLogger(__name__)

#: A field's or backend's ``from_db_value``-style converter: ``(value, expression, connection)``.
Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


@dataclass(frozen=True)
class _Part:
    """Where one model's columns sit in the row, and their attribute names."""

    model: type[Model]
    columns: slice
    names: list[str]

    def build(self, alias: str, row: Sequence[Any]) -> Model:
        return self.model.from_db(alias, self.names, row[self.columns])


@dataclass(frozen=True)
class Compiled:
    """``queryset.get(pk=...)`` for one connection, ready to run with any lookup id."""

    sql: str
    #: The query's parameters around the lookup id's.
    before: tuple[Any, ...]
    after: tuple[Any, ...]
    #: (column, converters, expression) of each column whose value Django converts.
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]
    token: _Part
    user: _Part
    #: How ``select_related`` caches the user on the token (the foreign key's setter).
    attach: Callable[[Model, Model], None]

    def fetch(self, connection: BaseDatabaseWrapper, lookup_id: str) -> Any:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, (*self.before, lookup_id, *self.after))
            found = cursor.fetchone()
        if found is None:
            return None
        row = list(found)
        for column, converters, expression in self.converters:
            value = row[column]
            for convert in converters:
                value = convert(value, expression, connection)
            row[column] = value
        token = self.token.build(connection.alias, row)
        self.attach(token, self.user.build(connection.alias, row))
        return token


def compile_lookup(queryset: QuerySet[Any], connection: BaseDatabaseWrapper) -> Compiled | None:
    """``queryset`` compiled for ``connection``; ``None`` unless its rows are a token and its user.

    A subclass's queryset that selects more (other relations, annotations) is
    left to Django (``None``), so that it gets what it asked for.
    """
    # A parameter no other one of the query can equal marks where the lookup id goes.
    mark = secrets.token_hex(16)
    compiler = queryset.filter(pk=mark).order_by().query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    info: dict[str, Any] = compiler.klass_info or {}
    related: list[dict[str, Any]] = info.get("related_klass_infos", [])
    if (
        compiler.annotation_col_map
        or len(related) != 1
        or related[0]["reverse"]  # not the user (a reverse one-to-one, which may be NULL)
        or related[0]["related_klass_infos"]
    ):
        return None
    select = [column for column, _sql, _alias in compiler.select or ()]
    slot = list(params).index(mark)

    def part(klass_info: dict[str, Any]) -> _Part:
        fields = klass_info["select_fields"]
        names = [column.target.attname for column in select[fields[0] : fields[-1] + 1]]
        return _Part(klass_info["model"], slice(fields[0], fields[-1] + 1), names)

    return Compiled(
        sql=sql,
        before=tuple(params[:slot]),
        after=tuple(params[slot + 1 :]),
        converters=tuple(
            (column, tuple(converters), expression)
            for column, (converters, expression) in compiler.get_converters(select).items()
        ),
        token=part(info),
        user=part(related[0]),
        attach=related[0]["local_setter"],
    )


#: Per connection (connections are per thread), per queryset: the compiled lookup.
_compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, dict[QuerySet[Any], Compiled | None]] = (
    weakref.WeakKeyDictionary()
)


def get(queryset: QuerySet[Any], lookup_id: str) -> Any:
    """The row of ``queryset`` whose primary key is ``lookup_id``, or ``None``: one query."""
    connection = connections[queryset.db]
    compiled_here = _compiled.setdefault(connection, {})
    try:
        compiled = compiled_here[queryset]
    except KeyError:
        try:
            compiled = compile_lookup(queryset, connection)
        except Exception:
            # Django's compiler moved (drf_hardening.W085 said so at start-up): the ORM
            # builds the query instead, slower but right; never a 500.
            logger.warning("Token lookup not compiled; QuerySet.get() it is.", exc_info=True)
            compiled = None
        compiled_here[queryset] = compiled
    if compiled is None:
        return queryset.filter(pk=lookup_id).first()
    return compiled.fetch(connection, lookup_id)
