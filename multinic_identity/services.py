"""The built-in Identity's rules: tokens (issue, validate, rescope, revoke), passwords,
memberships, and what a token's user may scope to. Keystone's rules wherever Keystone has one
(cited as keystone/<file>), so that clients written for Keystone need nothing else.

A token is 32 random bytes (URL-safe text) handed to the client once; the database keeps
only its SHA-256 digest. Tokens expire after ``MULTINIC_TOKEN_TTL_SECONDS``.

There is one domain, Keystone's ``default`` ("Default"): every user and project is in it,
and nobody has a role on it or on the system, so domain and system scope are refused as
Keystone refuses them to a user without such a role.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from multinic_api.exceptions import Forbidden, InvalidInput, MultinicError, NotFound
from multinic_api.models import Project
from multinic_api.services.text import has_nul
from multinic_identity import lockout
from multinic_identity.models import AuthToken, Membership, User

DEFAULT_DOMAIN = {"id": "default", "name": "Default"}
REQUIRES_AUTHENTICATION = "The request you have made requires authentication."


class NotAuthenticated(MultinicError):
    status_code = 401
    code = "unauthorized"


class LockedOut(NotAuthenticated):
    """Too many failed sign-ins for the user or from the address (multinic_identity.lockout).
    A 401 with Keystone's message for a locked account (keystone/exception.py,
    AccountLocked), so that a client written for Keystone reads it as it reads Keystone's;
    ``retry_after`` is when to try again, in seconds."""

    code = "locked_out"

    def __init__(self, user: str, retry_after: int):
        super().__init__(f"The account is locked for user: {user}. Too many failed sign-ins "
                         "for this user or from this address; try again in "
                         f"{retry_after} seconds.")
        self.retry_after = retry_after


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, project: Project | None, methods: list[str],
                parent: AuthToken | None = None) -> tuple[str, AuthToken]:
    """A new token. One made from ``parent`` (the token method) keeps the parent's expiry, as
    Keystone's does (keystone/auth/plugins/token.py): otherwise rescoping again and again
    would keep a stolen token alive forever without the password. It also carries the audit
    id of its chain's first token as its second audit id."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    if parent is None:
        expires_at = now + timedelta(seconds=settings.MULTINIC_TOKEN_TTL_SECONDS)
        parent_audit_id = ""
    else:
        expires_at = parent.expires_at
        parent_audit_id = parent.parent_audit_id or parent.audit_id
    record = AuthToken.objects.create(
        digest=digest(token), user=user, project=project, methods=methods,
        audit_id=secrets.token_urlsafe(16)[:22], parent_audit_id=parent_audit_id,
        issued_at=now, expires_at=expires_at,
    )
    return token, record


def validate_token(token: str | None) -> AuthToken | None:
    """The live token record for a token string, or None (unknown, expired, revoked, user
    inactive, or scoped to a project its user may no longer have).

    The last is checked here, in the one query, and not only by the revocation that removing
    a membership causes (revoke_project_tokens): a membership changed by any other path (a
    bulk update, SQL by hand) then still cannot leave a token acting in a project its user
    has left."""
    if not isinstance(token, str) or not token:
        return None
    record = (AuthToken.objects.select_related("user", "project")
              .annotate(member=Exists(Membership.objects.filter(
                  user_id=OuterRef("user_id"), project_id=OuterRef("project_id"))))
              .filter(digest=digest(token), expires_at__gt=timezone.now()).first())
    if record is None or not record.user.is_active:
        return None
    if record.project_id is not None and not (record.member or record.user.is_superuser):
        return None
    return record


def authenticated(token: str | None) -> AuthToken:
    """The caller's live token (``X-Auth-Token``), or 401."""
    record = validate_token(token)
    if record is None:
        raise NotAuthenticated(REQUIRES_AUTHENTICATION)
    return record


def is_admin(record: AuthToken) -> bool:
    """Whether a token carries the admin role. Only a project-scoped token carries roles
    (Keystone puts none in an unscoped one), so a superuser's unscoped token is no admin's,
    as in Keystone's ``rule:admin_required`` (``role:admin``)."""
    return record.project_id is not None and record.user.is_superuser


# --- POST /v3/auth/tokens -------------------------------------------------------------------

def authenticate(auth: Any, client_address: str | None) -> tuple[str, AuthToken]:
    """Issue the token an ``{"auth": ...}`` request asks for: 400 for a body Keystone's
    schema refuses (keystone/auth/schema.py), 401 for credentials or a scope it refuses.
    ``client_address`` is who asks, for the password method's lockout."""
    _check_auth_schema(auth)
    identity = auth["identity"]
    methods = identity["methods"]
    for method in methods:  # keystone/auth/core.py, _validate_auth_methods
        if method not in identity:
            raise InvalidInput(f"Expecting to find {method} in identity. The server could not "
                               "comply with the request since it is either malformed or "
                               "otherwise incorrect.")
    parent = None
    if methods == ["password"]:
        user = password_user(identity["password"].get("user"),
                             (identity["password"].get("user") or {}).get("password"),
                             client_address=client_address)
        token_methods = ["password"]
    elif methods == ["token"]:
        parent = validate_token(identity["token"]["id"])
        if parent is None:
            raise NotAuthenticated("The token is unknown, expired or revoked.")
        user = parent.user
        # Keystone's token method adds the methods of the token it came from, once each.
        token_methods = list(dict.fromkeys(["token", *parent.methods]))
    else:
        raise NotAuthenticated(
            f"Authentication method {methods} is not supported; use password or token.")
    project = requested_project(user, auth.get("scope"), scoped="scope" in auth)
    return issue_token(user, project, token_methods, parent=parent)


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"Invalid input for field '{field}': {message}")


def _object(value: Any, field: str, strings: tuple[str, ...] = ()) -> dict:
    """``value`` must be a JSON object whose ``strings`` keys, where present, are strings."""
    if not isinstance(value, dict):
        raise _invalid(field, f"{value!r} is not of type 'object'")
    for key in strings:
        if key in value and not isinstance(value[key], str):
            raise _invalid(f"{field}/{key}", f"{value[key]!r} is not of type 'string'")
    return value


def _id_or_name(value: dict, field: str) -> None:
    if "id" not in value and "name" not in value:
        raise _invalid(field, "id or name must be present.")


def _check_auth_schema(auth: Any) -> None:
    """Keystone's ``token_issue`` schema and the checks after it: shapes and types only
    (every id, name and password a string), so that nothing below meets a list where it
    expects text. Unknown keys are allowed, as there."""
    auth = _object(auth, "auth")
    if "identity" not in auth:
        raise _invalid("auth", "'identity' is a required property")
    identity = _object(auth["identity"], "identity")
    methods = identity.get("methods")
    if "methods" not in identity:
        raise _invalid("identity", "'methods' is a required property")
    if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
        raise _invalid("identity/methods", f"{methods!r} is not an array of strings")
    if not methods:
        raise _invalid("identity/methods", "[] is too short")
    if "password" in identity:
        password = _object(identity["password"], "identity/password")
        if "user" not in password:
            raise InvalidInput("Expecting to find user in password.")
        user = _object(password["user"], "identity/password/user", ("id", "name", "password"))
        _id_or_name(user, "identity/password/user")
        if "domain" in user:
            _id_or_name(_object(user["domain"], "identity/password/user/domain",
                                ("id", "name")), "identity/password/user/domain")
    if "token" in identity:
        token = _object(identity["token"], "identity/token", ("id",))
        if "id" not in token:
            raise _invalid("identity/token", "'id' is a required property")
    if "scope" not in auth:
        return
    scope = auth["scope"]
    if isinstance(scope, str):
        return  # which strings mean something is requested_project's business
    scope = _object(scope, "scope")
    if "project" in scope:
        project = _object(scope["project"], "scope/project", ("id", "name"))
        _id_or_name(project, "scope/project")
        if "domain" in project:
            _id_or_name(_object(project["domain"], "scope/project/domain", ("id", "name")),
                        "scope/project/domain")
    if "domain" in scope:
        _id_or_name(_object(scope["domain"], "scope/domain", ("id", "name")), "scope/domain")
    if "system" in scope:
        system = _object(scope["system"], "scope/system")
        if "all" in system and not isinstance(system["all"], bool):
            raise _invalid("scope/system/all", f"{system['all']!r} is not of type 'boolean'")
    if "OS-TRUST:trust" in scope:
        _object(scope["OS-TRUST:trust"], "scope/OS-TRUST:trust", ("id",))


def _domain(spec: dict) -> dict:
    """The domain a ``{"id"}`` or ``{"name"}`` names: there is only the default one. Another
    is a 401, as an unknown domain is in Keystone's _lookup_domain."""
    if spec.get("name") is not None:
        known = spec["name"] == DEFAULT_DOMAIN["name"]
        what = spec["name"]
    else:
        known = spec.get("id") == DEFAULT_DOMAIN["id"]
        what = spec.get("id")
    if not known:
        raise NotAuthenticated(f"Could not find domain: {what}.")
    return DEFAULT_DOMAIN


def password_user(user_spec: Any, password: Any, *, client_address: str | None) -> User:
    """The user a password-method request names (by id, or by name and domain), if the
    password is right. A name without a domain is a 400, as in Keystone: names are unique
    only within a domain.

    Every face's password check is this one, so each failure is counted here, once, against
    the user and ``client_address`` (multinic_identity.lockout); while either is locked the
    password is not even tried (LockedOut), as Keystone checks its lockout first."""
    if not isinstance(user_spec, dict) or not isinstance(password, str):
        raise NotAuthenticated(REQUIRES_AUTHENTICATION)
    username = user_spec.get("name")
    user = None
    if username:
        if not isinstance(username, str):
            raise NotAuthenticated(REQUIRES_AUTHENTICATION)
        if "domain" not in user_spec:
            raise InvalidInput("Expecting to find domain in user. The server could not comply "
                               "with the request since it is either malformed or otherwise "
                               "incorrect.")
        domain = user_spec["domain"]
        if not isinstance(domain, dict):
            raise NotAuthenticated(REQUIRES_AUTHENTICATION)
        _domain(domain)
        if not has_nul(username):
            user = User.objects.filter(username=username).first()
    elif user_spec.get("id"):
        user = User.objects.filter(pk=_int_or_none(user_spec["id"])).first()
    # A known user is counted under their name, however the request named them (by id or by
    # name), so that switching between the two does not double the guesses; an unknown one
    # under what was sent, so that a lock looks the same whether or not the user exists.
    sent = str(username or user_spec.get("id") or "")
    counted = user.get_username() if user is not None else sent
    if not lockout.allowed(counted, client_address):
        raise LockedOut(sent, lockout.retry_after())
    if user is None:
        # Hash anyway, as Django's ModelBackend does, so that an unknown user takes as long
        # as a wrong password.
        User().set_password(password)
        lockout.failed(counted, client_address)
        raise NotAuthenticated(REQUIRES_AUTHENTICATION)
    if not (user.check_password(password) and user.is_active):
        lockout.failed(counted, client_address)
        raise NotAuthenticated(REQUIRES_AUTHENTICATION)
    lockout.succeeded(counted, client_address)
    return user


def requested_project(user: User, scope: Any, scoped: bool = True) -> Project | None:
    """The project a request's scope names, if the user may have it; None for an unscoped
    token. As keystone/auth/core.py reads a scope: absent, ``"unscoped"`` (what keystoneauth
    sends for ``unscoped=True``) or ``{"unscoped": ...}`` is unscoped (users here have no
    default project); otherwise exactly one of project, domain, system or trust, else 400."""
    if not scoped:
        return None
    if scope == "unscoped" or (isinstance(scope, dict) and list(scope) == ["unscoped"]):
        return None
    kinds = [kind for kind in ("project", "domain", "system", "OS-TRUST:trust", "unscoped")
             if isinstance(scope, dict) and kind in scope]
    if len(kinds) != 1:
        raise InvalidInput("Expecting to find system, project, domain, OS-TRUST:trust or "
                           "unscoped in scope. The server could not comply with the request "
                           "since it is either malformed or otherwise incorrect.")
    kind = kinds[0]
    if kind == "domain":
        domain = _domain(scope["domain"])
        raise NotAuthenticated(f"User {user.user_id} has no access to domain {domain['id']}")
    if kind == "system":
        raise NotAuthenticated(f"User {user.user_id} has no access to the system")
    if kind == "OS-TRUST:trust":
        raise NotFound(f"Could not find trust: {scope[kind].get('id')}.")
    return scoped_project(user, scope["project"])


def scoped_project(user: User, spec: dict) -> Project:
    """The project a ``{"id"}`` or ``{"name", "domain"}`` names, if the user may have it:
    members, and admins for any (see selectable_projects). An unknown project, like one the
    user has no role on, is a 401, with Keystone's messages."""
    if "id" in spec:  # even an empty one: the schema let it through as the id
        reference = spec["id"]
        candidates = Project.objects.filter(pk=reference)
    else:
        reference = spec["name"]
        if "domain" not in spec:
            raise InvalidInput("Expecting to find domain in project. The server could not "
                               "comply with the request since it is either malformed or "
                               "otherwise incorrect.")
        _domain(spec["domain"])
        candidates = Project.objects.filter(name=reference)
    if has_nul(reference) or not candidates.exists():  # PostgreSQL cannot even compare NUL
        raise NotAuthenticated(f"Could not find project: {reference}.")
    # Names are unique per domain in Keystone but not here: of several projects so named, the
    # user's own first; ordered by id for a stable answer.
    project = (member_projects(user).filter(pk__in=candidates).order_by("pk").first()
               or selectable_projects(user).filter(pk__in=candidates).order_by("pk").first())
    if project is None:
        raise NotAuthenticated(f"User {user.user_id} has no access to project "
                               f"{candidates.order_by('pk').first().pk}")
    return project


# --- GET, HEAD and DELETE /v3/auth/tokens ---------------------------------------------------

def subject_token(caller: AuthToken, token: str | None,
                  action: str = "identity:validate_token") -> AuthToken:
    """The token ``X-Subject-Token`` names, for its own user or an admin (Keystone's
    ``identity:validate_token``/``revoke_token``: admin or ``rule:token_subject``): 404 if
    it is unknown, expired or revoked, 403 if it is another user's."""
    subject = validate_token(token)
    if subject is None:
        raise NotFound("Could not find token.")
    if subject.user_id != caller.user_id and not is_admin(caller):
        raise Forbidden("You are not authorized to perform the requested action: "
                        f"{action}.")
    return subject


def revoke_token(caller: AuthToken, token: str | None) -> None:
    """Revoke the token ``X-Subject-Token`` names: from now on it validates nowhere.

    Keystone's DELETE /v3/auth/tokens revokes by the token's own audit id
    (keystone/token/provider.py, ``revoke_token`` without ``revoke_chain``; the revocation
    event matches a token whose audit_id is that one). So it revokes that token alone: the
    tokens made from it by the token method have audit ids of their own and stay valid,
    and so does the token it was made from. (Keystone can revoke a whole chain by its first
    audit id, ``revoke_by_audit_chain_id``, but no API call does.) A sign-out that wants every
    token gone revokes each, as openstack_auth's logout did for the scoped ones.

    Here a revocation deletes the token's row: a revoked token is then exactly an unknown
    one (401 as X-Auth-Token, 404 as X-Subject-Token), as in Keystone."""
    subject = subject_token(caller, token, "identity:revoke_token")
    AuthToken.objects.filter(audit_id=subject.audit_id).delete()


# --- Revocation when what a token stands for changes ---------------------------------------
# Keystone revokes every token of a user whose password changes or who is disabled, and the
# tokens of a user on a project when their role assignment there is removed (revocation
# events by user id, and by user and project: keystone/identity/core.py,
# keystone/assignment/core.py). multinic_identity.signals calls these on those changes, from
# whatever path they come (the Django admin, changepassword, code).

def revoke_user_tokens(user_id: int) -> None:
    """Every token of the user: the Identity's, and DRF's token for /api/, which stands for
    the same password. A dashboard session holding one of them can then reach no API: the
    panels' next call signs it out."""
    from rest_framework.authtoken.models import Token

    AuthToken.objects.filter(user_id=user_id).delete()
    Token.objects.filter(user_id=user_id).delete()


def revoke_project_tokens(user_id: int, project_id: str) -> None:
    """The user's tokens scoped to the project (their unscoped ones and other projects' stay
    good, as in Keystone). DRF's token is scoped to no project: each request checks the
    project it asks for against the memberships then (multinic_api.api.tenancy)."""
    AuthToken.objects.filter(user_id=user_id, project_id=project_id).delete()


# --- What a token's user may scope to -------------------------------------------------------

def authorized_projects(user: User) -> QuerySet[Project]:
    """GET /v3/auth/projects and /v3/users/{id}/projects: the projects the user has a role on,
    their memberships, as Keystone lists role assignments. An admin may also scope to any
    other project (selectable_projects); those are not listed, or a cloud's every project
    would fill the dashboard's project menu."""
    return member_projects(user).order_by("name", "pk")


def user_projects(caller: AuthToken, user_id: str) -> QuerySet[Project]:
    """GET /v3/users/{user_id}/projects: for the user themself or an admin, else 403 before
    anything is looked up (Keystone's ``identity:list_user_projects``, admin or owner); an
    unknown user is then a 404."""
    if user_id != caller.user.user_id and not is_admin(caller):
        raise Forbidden("You are not authorized to perform the requested action: "
                        "identity:list_user_projects.")
    user = User.objects.filter(pk=_int_or_none(user_id)).first()
    if user is None or str(user.pk) != user_id:
        raise NotFound(f"Could not find user: {user_id}.")
    return authorized_projects(user)


def authorized_domains(user: User) -> list[dict[str, Any]]:
    """GET /v3/auth/domains: the domains the user has a role on. Nobody has one here (roles
    are on projects), so it is empty, as Keystone's is for a user with project roles only."""
    return []


def authorized_system(user: User) -> list[dict[str, bool]]:
    """GET /v3/auth/system: ``[{"all": True}]`` for a user with a role on the system, else
    empty. Nobody has one here: the admin role is held on projects."""
    return []


# --- Memberships and roles ------------------------------------------------------------------

def selectable_projects(user: User) -> QuerySet[Project]:
    """Projects a user may act in: their memberships; every project for an admin."""
    if user.is_superuser:
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user)


def member_projects(user: User) -> QuerySet[Project]:
    """The projects a user is a member of (admins too: where they act by default)."""
    return Project.objects.filter(memberships__user=user)


#: Which of a user's projects a request acts in when it names none: the first by name.
DEFAULT_PROJECT_ORDER = ("name", "pk")


def default_project(user: User) -> Project | None:
    """The project a DRF token's or a session's request acts in without ``X-Project-Id``
    (DRF's token authentication reads it with the token, in the same order)."""
    return member_projects(user).order_by(*DEFAULT_PROJECT_ORDER).first()


def add_member(project: Project, user: User) -> None:
    Membership.objects.get_or_create(project=project, user=user)


def roles(user: User) -> list[dict[str, str]]:
    names = ["reader", "member"] + (["admin"] if user.is_superuser else [])
    return [{"id": name, "name": name} for name in names]


def _int_or_none(value: Any) -> int | None:
    """A user id as the database holds one, or None: also for numbers no 64-bit column holds
    (SQLite raised OverflowError on them, PostgreSQL a DataError, each a 500)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None
