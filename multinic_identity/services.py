"""The built-in Identity's rules: tokens (issue, validate, rescope), passwords, memberships.

A token is 32 random bytes (URL-safe text) handed to the client once; the database keeps
only its SHA-256 digest. Tokens expire after ``MULTINIC_TOKEN_TTL_SECONDS``.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from multinic_api.exceptions import MultinicError
from multinic_api.models import Project
from multinic_api.services.text import has_nul
from multinic_identity.models import AuthToken, Membership, User

DEFAULT_DOMAIN = {"id": "default", "name": "Default"}


class NotAuthenticated(MultinicError):
    status_code = 401
    code = "unauthorized"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, project: Project | None, methods: list[str]) -> tuple[str, AuthToken]:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    record = AuthToken.objects.create(
        digest=digest(token), user=user, project=project, methods=methods,
        audit_id=secrets.token_urlsafe(16)[:22], issued_at=now,
        expires_at=now + timedelta(seconds=settings.MULTINIC_TOKEN_TTL_SECONDS),
    )
    return token, record


def validate_token(token: str | None) -> AuthToken | None:
    """The live token record for a token string, or None (unknown, expired, user inactive)."""
    if not token:
        return None
    record = (AuthToken.objects.select_related("user", "project")
              .filter(digest=digest(token), expires_at__gt=timezone.now()).first())
    if record is None or not record.user.is_active:
        return None
    return record


def password_user(user_spec: Any, password: Any) -> User:
    """The user a password-method request names (by name or id), if the password is right."""
    if not isinstance(user_spec, dict) or not isinstance(password, str):
        raise NotAuthenticated("The request you have made requires authentication.")
    username = user_spec.get("name")
    if username is not None and (not isinstance(username, str) or has_nul(username)):
        raise NotAuthenticated("The request you have made requires authentication.")
    if username is not None:
        user = User.objects.filter(username=username).first()
    elif user_spec.get("id"):
        user = User.objects.filter(pk=_int_or_none(user_spec["id"])).first()
    else:
        user = None
    if user is None:
        # Hash anyway, as Django's ModelBackend does, so that an unknown user takes as long
        # as a wrong password.
        User().set_password(password)
        raise NotAuthenticated("The request you have made requires authentication.")
    if not (user.check_password(password) and user.is_active):
        raise NotAuthenticated("The request you have made requires authentication.")
    return user


def selectable_projects(user: User) -> QuerySet[Project]:
    """Projects a user may act in: their memberships; every project for an admin."""
    if user.is_superuser:
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user)


def member_projects(user: User) -> QuerySet[Project]:
    """The projects a user is a member of (admins too: where they act by default)."""
    return Project.objects.filter(memberships__user=user)


def add_member(project: Project, user: User) -> None:
    Membership.objects.get_or_create(project=project, user=user)


def scoped_project(user, scope: Any) -> Project | None:
    """The project a scope names, if the user may have it: members, and admins for any."""
    if not scope:
        return None
    spec = scope.get("project") if isinstance(scope, dict) else None
    if not isinstance(spec, dict) or not (spec.get("id") or spec.get("name")):
        raise NotAuthenticated("Only project scope is supported: give project id or name.")
    reference = spec.get("id") or spec.get("name")
    project = None
    if isinstance(reference, str) and not has_nul(reference):
        wanted = Q(pk=reference) if spec.get("id") else Q(name=reference)
        project = selectable_projects(user).filter(wanted).first()
    if project is None:
        raise NotAuthenticated(f"User {user.get_username()} has no role on the requested "
                               "project.")
    return project


def roles(user) -> list[dict[str, str]]:
    names = ["reader", "member"] + (["admin"] if user.is_superuser else [])
    return [{"id": name, "name": name} for name in names]


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
