"""A Neutron request body, ``{"<resource>": {...}}``, read attribute by attribute with
Neutron's 400s: an attribute it does not know, a value of the wrong type."""

from __future__ import annotations

from typing import Any

from multinic_api.exceptions import InvalidInput
from multinic_api.services.text import refuse_nul

_MISSING = object()

#: As Keystone's project ids, and Project.id here.
PROJECT_ID_LENGTH = 64

#: Attributes of Neutron's that have one value here (the feature they switch does not
#: exist, or is always on): that value is accepted, any other refused.
FIXED = {"admin_state_up": True, "router:external": False, "port_security_enabled": True,
         "is_default": False, "availability_zone_hints": [], "service_types": [],
         "use_default_subnetpool": False, "dns_publish_fixed_ip": False,
         "security_groups": [], "allowed_address_pairs": [], "extra_dhcp_opts": [],
         "qos_policy_id": None}


class Body:
    def __init__(self, attributes: dict, resource: str):
        self.attributes = attributes
        self.resource = resource

    @classmethod
    def of(cls, data: Any, resource: str) -> Body:
        if not isinstance(data, dict) or not isinstance(data.get(resource), dict):
            raise InvalidInput(f"Resource body required: a JSON object with a \"{resource}\" "
                               "object")
        if set(data) - {resource}:
            raise InvalidInput(f"Only the \"{resource}\" object may be sent; bulk requests "
                               "are not supported")
        return cls(data[resource], resource)

    def allow(self, *names: str) -> None:
        unknown = sorted(set(self.attributes) - set(names))
        if unknown:
            raise InvalidInput("Unrecognized attribute(s) '{}'".format(
                ", ".join(str(name)[:80] for name in unknown)))

    def fixed(self, **also: Any) -> None:
        """Refuse another value for an attribute that has one value here."""
        for name, value in {**FIXED, **also}.items():
            if name not in self.attributes:
                continue
            given = self.attributes[name]
            if isinstance(value, bool):
                given = self.boolean(name)
            if given != value:
                raise InvalidInput(f"Invalid input for {name}: only {value!r} is supported "
                                   "here")

    def get(self, name: str, default: Any = None) -> Any:
        return self.attributes.get(name, default)

    def string(self, name: str, *, default: Any = None, allow_null: bool = False) -> Any:
        value = self.attributes.get(name, _MISSING)
        if value is _MISSING:
            return default
        if value is None and allow_null:
            return None
        if not isinstance(value, str):
            raise InvalidInput(f"Invalid input for {name}. Reason: '{value!s:.80}' is not a "
                               "valid string.")
        refuse_nul(value, name)
        return value

    def required_string(self, name: str) -> str:
        if name not in self.attributes:
            raise InvalidInput(f"Failed to parse request. Required attribute '{name}' not "
                               "specified")
        return self.string(name)

    def integer(self, name: str, *, default: int | None = None) -> int | None:
        value = self.attributes.get(name, _MISSING)
        if value is _MISSING:
            return default
        # Neutron converts a string of digits too (the CLI sends "--mtu 9000" as one).
        text = value.strip() if isinstance(value, str) else None
        if text and text.isascii() and text.lstrip("-").isdigit() and len(text) <= 20:
            return int(text)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"Invalid input for {name}. Reason: '{value!s:.80}' is not an "
                               "integer.")
        return value

    def boolean(self, name: str, *, default: bool | None = None) -> bool | None:
        """JSON true or false (what the CLI and openstacksdk send); Neutron's converter also
        takes 0, 1 and words, which a body here does not."""
        value = self.attributes.get(name, _MISSING)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            raise InvalidInput(f"Invalid input for {name}. Reason: '{value!s:.80}' is not a "
                               "valid boolean value.")
        return value

    def list_of_strings(self, name: str) -> list[str] | None:
        value = self.attributes.get(name, _MISSING)
        if value is _MISSING:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidInput(f"Invalid input for {name}. Reason: a list of strings is "
                               "expected.")
        return value

    def list_of_objects(self, name: str) -> list[dict] | None:
        value = self.attributes.get(name, _MISSING)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise InvalidInput(f"Invalid input for {name}. Reason: a list of objects is "
                               "expected.")
        return value

    def project_id(self) -> str | None:
        """``project_id``, or ``tenant_id`` its older name; both must agree."""
        named = {self.string(key) for key in ("project_id", "tenant_id")} - {None}
        if len(named) > 1:
            raise InvalidInput("project_id and tenant_id name different projects")
        project_id = named.pop() if named else None
        if project_id is not None and not 0 < len(project_id) <= PROJECT_ID_LENGTH:
            raise InvalidInput(f"Invalid input for project_id. Reason: a project id is 1 to "
                               f"{PROJECT_ID_LENGTH} characters.")
        return project_id
