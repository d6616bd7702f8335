"""Errors the domain services raise, each carrying the HTTP status a client should see.

Services know nothing of HTTP, but every failure a client can cause is one of these, so the
API layer maps them to a JSON error one-to-one and nothing a client sends becomes a 500.
"""

# Said wherever a user with no project tries to create something (the REST API, the Nova
# subset and the dashboard), as a 403.
NO_PROJECT = "You are not a member of any project; ask an administrator to add you to one."


class MultinicError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(MultinicError):
    status_code = 400
    code = "bad_request"


class Forbidden(MultinicError):
    status_code = 403
    code = "forbidden"


class PermissionDenied(Forbidden):
    """The caller's scope does not allow this (no project, not the network's owner). Its code
    is the one DRF's permission checks answer with, so that /api/ says ``permission_denied``
    for every refusal of who the caller is, whichever layer refused."""

    code = "permission_denied"


class NotFound(MultinicError):
    status_code = 404
    code = "not_found"


class Conflict(MultinicError):
    status_code = 409
    code = "conflict"


class MacAddressInUse(Conflict):
    code = "mac_in_use"


class MacGenerationFailed(Conflict):
    code = "mac_generation_failed"


class IpAddressInUse(Conflict):
    code = "ip_in_use"


class SubnetExhausted(Conflict):
    code = "subnet_exhausted"


class PortInUse(Conflict):
    """A port already attached to an instance, asked for by another launch or attach."""

    code = "port_in_use"


class PortNotFound(NotFound):
    """A port the caller asked for that does not exist or is not the caller's to see."""

    code = "port_not_found"
