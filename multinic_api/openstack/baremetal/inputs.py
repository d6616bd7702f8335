"""What a bare-metal request body may hold, read Ironic's way: a create body's fields, and a
JSON Patch (RFC 6902) over a resource's writable fields, turned into the changes the services
take. The rules of what the values may be are the services'; here only their JSON types."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import jsonpatch
import jsonpointer

from multinic_api.exceptions import InvalidInput
from multinic_api.openstack.baremetal.microversions import VersionNotAcceptable, text

_PATCH_OPS = ("add", "replace", "remove")


def fields_of(body: Any, kind: str, allowed: Iterable[str], visible: Iterable[str],
              version: tuple[int, int]) -> dict[str, Any]:
    """A create body: a JSON object of known fields. A field newer than the request's
    version is a 406, as Ironic answers it."""
    if not isinstance(body, dict):
        raise InvalidInput(f"A {kind} is created from a JSON object")
    allowed, visible = set(allowed), set(visible)
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidInput(f"Additional properties are not allowed "
                           f"({', '.join(repr(name) for name in unknown)} unexpected)")
    newer = sorted(set(body) - visible)
    if newer:
        raise VersionNotAcceptable(f"Field(s) {', '.join(newer)} of a {kind} need a newer API "
                                   f"version than {text(version)}")
    if body.get("extra", {}) != {}:
        raise InvalidInput(f"extra is not kept by this service; a {kind} has none")
    return body


def apply_patch(document: dict[str, Any], patch: Any, writable: Iterable[str],
                mandatory: Iterable[str], newer: Iterable[str],
                version: tuple[int, int]) -> dict[str, Any]:
    """Apply ``patch`` to ``document`` (a resource as the client sees it) and return the
    writable fields it changed, a removed one as None. Ironic's rules: only add, replace
    and remove; a read-only field is refused, as is removing a mandatory one."""
    writable, mandatory, newer = set(writable), set(mandatory), set(newer)
    if not isinstance(patch, list) or not patch:
        raise InvalidInput("A PATCH body is a non-empty JSON Patch: a list of operations")
    for operation in patch:
        if not isinstance(operation, dict) or not isinstance(operation.get("path"), str):
            raise InvalidInput("Each JSON Patch operation is an object with op and path")
        op, path = operation.get("op"), operation["path"]
        if op not in _PATCH_OPS:
            raise InvalidInput(f"Invalid JSON Patch op {op!r}; one of: {', '.join(_PATCH_OPS)}")
        if op != "remove" and "value" not in operation:
            raise InvalidInput(f"JSON Patch {op} of {path} needs a value")
        field = path.split("/")[1] if path.startswith("/") else ""
        if field in newer:
            raise VersionNotAcceptable(f"{field} needs a newer API version than "
                                       f"{text(version)}")
        if field not in writable:
            raise InvalidInput(f"'{path}' is an internal attribute and can not be updated"
                               if field in document else f"'{path}' is not a known attribute")
        if op == "remove" and path == f"/{field}" and field in mandatory:
            raise InvalidInput(f"'{path}' is a mandatory attribute and can not be removed")
    try:
        patched = jsonpatch.apply_patch(document, patch)
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, TypeError,
            ValueError, KeyError, IndexError) as error:
        raise InvalidInput(f"The JSON Patch cannot be applied: {error}") from None
    if patched.get("extra", {}) != {}:
        raise InvalidInput("extra is not kept by this service")
    missing = object()
    return {field: patched.get(field) for field in sorted(writable)
            if patched.get(field, missing) != document.get(field, missing)}


def boolean(value: Any, field: str) -> bool:
    """A JSON boolean (not a string that looks like one: the documents say boolean)."""
    if isinstance(value, bool):
        return value
    raise InvalidInput(f"{field} must be true or false, not {value!r}")


def query_boolean(value: str, field: str) -> bool:
    """A query parameter's "true" or "false", as Ironic reads them."""
    if value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidInput(f"{field} must be true or false, not {value[:20]!r}")


def uuid_text(value: Any, field: str) -> str:
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise InvalidInput(f"Expected a UUID for {field}, not {value!r}")


def optional_text(value: Any, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InvalidInput(f"{field} must be a string or null, not {value!r}")


def mapping(value: Any, field: str) -> dict | None:
    if value is None or isinstance(value, dict):
        return value
    raise InvalidInput(f"{field} must be a JSON object, not {value!r}")
