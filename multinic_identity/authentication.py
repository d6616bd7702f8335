"""``Authorization: Token <key>``: DRF's token of a built-in Identity user."""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from multinic_api.models import Project
from multinic_api.services.text import has_nul
from multinic_identity import services as identity
from multinic_identity.models import Membership, User


class BuiltinTokenAuthentication(TokenAuthentication):
    """DRF's token, as long as the built-in Identity is the site's: beside a real Keystone
    (``MULTINIC_KEYSTONE_CONFIG``) only that Keystone vouches for callers. (drf-spectacular
    documents it as DRF's token scheme, whose subclasses it matches.)

    The token, its user and the project the user acts in by default
    (:func:`identity.default_project`) come in one statement: that is every query the
    request floor runs, and all the scope a launch needs without ``X-Project-Id``. Written as
    SQL from the models' metadata because the ORM's own building of the same query cost
    more than the database took to answer it (``bench/end_to_end.py``)."""

    def authenticate(self, request):
        if settings.MULTINIC_KEYSTONE_CONFIG:
            return None
        return super().authenticate(request)

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        token = None if has_nul(key) else find_token(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token


def find_token(key: str) -> Token | None:
    """DRF's token ``key`` with its ``user`` and, as ``default_project``, the project its
    user acts in when a request names none (None for a user in no project); or None."""
    lookup = _lookup()
    with connection.cursor() as cursor:
        cursor.execute(lookup.sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    values = iter(row)
    token, user, default = (part.load(islice(values, len(part.fields)))
                            for part in lookup.parts)
    token.user = user
    token.default_project = None if default.pk is None else default
    return token


@dataclass(frozen=True)
class _Part:
    """One model's columns in the lookup's row, and what turns them into its fields' values
    (the converters the ORM applies: SQLite gives dates and UUIDs back as text)."""

    model: Any
    fields: list[Any]
    converters: list[list[tuple[Any, Any]]]  # per field: (converter, its expression)

    @classmethod
    def of(cls, model: Any, fields: list[Any]) -> "_Part":
        converters = []
        for field in fields:
            column = field.get_col(model._meta.db_table)
            converters.append([(converter, column) for converter in (
                connection.ops.get_db_converters(column)
                + column.get_db_converters(connection))])
        return cls(model, fields, converters)

    def load(self, values: Iterable[Any]) -> Any:
        converted = []
        for value, converters in zip(values, self.converters, strict=True):
            for converter, column in converters:
                value = converter(value, column, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, [f.attname for f in self.fields],
                                  converted)


@dataclass(frozen=True)
class _Lookup:
    sql: str
    parts: tuple[_Part, _Part, _Part]  # the token (but its user), the user, the project


_LOOKUPS: dict[str, _Lookup] = {}


def _lookup() -> _Lookup:
    """``SELECT token, user, default project ... WHERE key = %s`` and how to read its row,
    made once per database backend (quoting and converters differ), with the default
    project's order from :data:`identity.DEFAULT_PROJECT_ORDER`."""
    lookup = _LOOKUPS.get(connection.vendor)
    if lookup is None:
        parts = (_Part.of(Token, [f for f in Token._meta.concrete_fields if f.name != "user"]),
                 _Part.of(User, list(User._meta.concrete_fields)),
                 _Part.of(Project, list(Project._meta.concrete_fields)))
        lookup = _LOOKUPS[connection.vendor] = _Lookup(_token_sql(parts), parts)
    return lookup


def _token_sql(parts: tuple[_Part, _Part, _Part]) -> str:
    quote = connection.ops.quote_name

    def columns(alias: str, part: _Part) -> str:
        return ", ".join(f"{alias}.{quote(f.column)}" for f in part.fields)

    def column(model: Any, name: str) -> str:
        meta = model._meta
        return quote((meta.pk if name == "pk" else meta.get_field(name)).column)

    token, user, project, membership = (quote(model._meta.db_table)
                                        for model in (Token, User, Project, Membership))
    member_project, member_user = column(Membership, "project"), column(Membership, "user")
    order = ", ".join(f"q.{column(Project, name)}" for name in identity.DEFAULT_PROJECT_ORDER)
    first_project = (
        f"SELECT m.{member_project} FROM {membership} m "
        f"JOIN {project} q ON q.{column(Project, 'pk')} = m.{member_project} "
        f"WHERE m.{member_user} = t.{column(Token, 'user')} ORDER BY {order} LIMIT 1")
    return (
        f"SELECT {columns('t', parts[0])}, {columns('u', parts[1])}, "
        f"{columns('p', parts[2])} FROM {token} t "
        f"JOIN {user} u ON u.{column(User, 'pk')} = t.{column(Token, 'user')} "
        f"LEFT JOIN {project} p ON p.{column(Project, 'pk')} = ({first_project}) "
        f"WHERE t.{column(Token, 'key')} = %s")
