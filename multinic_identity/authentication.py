"""``Authorization: Token <key>``: DRF's token of a built-in Identity user."""

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
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [key])
        row = cursor.fetchone()
    if row is None:
        return None
    token_fields, user_fields, project_fields = _fields()
    values = iter(row)
    token = Token.from_db(connection.alias, [f.attname for f in token_fields],
                          [next(values) for _ in token_fields])
    token.user = User.from_db(connection.alias, [f.attname for f in user_fields],
                              [next(values) for _ in user_fields])
    project = [next(values) for _ in project_fields]
    token.default_project = (None if project[0] is None else Project.from_db(
        connection.alias, [f.attname for f in project_fields], project))
    return token


def _fields() -> tuple[list[Any], list[Any], list[Any]]:
    return ([f for f in Token._meta.concrete_fields if f.name != "user"],
            list(User._meta.concrete_fields), list(Project._meta.concrete_fields))


_SQL: dict[str, str] = {}


def _token_sql() -> str:
    """``SELECT token, user, default project ... WHERE key = %s``, built once per database
    backend (quoting differs), with the default project's order from
    :data:`identity.DEFAULT_PROJECT_ORDER`."""
    sql = _SQL.get(connection.vendor)
    if sql is None:
        sql = _SQL[connection.vendor] = _build_token_sql()
    return sql


def _build_token_sql() -> str:
    quote = connection.ops.quote_name
    token_fields, user_fields, project_fields = _fields()

    def columns(alias: str, fields: list[Any]) -> str:
        return ", ".join(f"{alias}.{quote(f.column)}" for f in fields)

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
        f"SELECT {columns('t', token_fields)}, {columns('u', user_fields)}, "
        f"{columns('p', project_fields)} FROM {token} t "
        f"JOIN {user} u ON u.{column(User, 'pk')} = t.{column(Token, 'user')} "
        f"LEFT JOIN {project} p ON p.{column(Project, 'pk')} = ({first_project}) "
        f"WHERE t.{column(Token, 'key')} = %s")
