"""What the launch wizard's fields say, as the REST API's launch body.

One reading for both the launch (the workflow's steps clean their fields with it and the
workflow builds its body with it) and the live preview (which gets the same fields, raw, from
the wizard's script): the preview refuses what the launch refuses, with the same message, and
shows the body the launch will post. No HTTP here: the callers say where a refusal goes.
"""

import base64
from collections.abc import Collection, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from multinic_dashboard import jsoninput

AT_LEAST_ONE = _("At least one network must be specified.")
ONE_PER_NODE = _("A bare-metal node carries one instance: launch a count of 1 onto it, or "
                 "no node for several virtual machines.")
# A carrier speaks only for what carries its NIC, never for the NIC's network, addresses or
# MAC, which the Networks step decided.
CARRIER_KEYS = {"port", "bond"}


def metadata(text: str) -> dict[str, str]:
    """``key=value``, one per line (blank lines skipped; keys and values stripped)."""
    parsed = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise forms.ValidationError(
                _("Line %(n)d: write key=value (got %(line)r).") % {"n": number, "line": line})
        parsed[key.strip()] = value.strip()
    return parsed


def _json_list(text: str, unreadable: str) -> list:
    try:
        value = jsoninput.loads(text or "[]")
    except ValueError:  # not JSON, or nested too deep (jsoninput)
        value = None
    if not isinstance(value, list):
        raise forms.ValidationError(unreadable)
    return value


def nics(text: str, known: Collection[str] | None = None) -> list[dict[str, Any]]:
    """The ``nics`` field (``[{network_id, fixed_ip, tag}]`` in NIC order) as the launch
    body's NICs, each on one of the ``known`` networks when given (else the API judges)."""
    listed = _json_list(text, _("The list of networks could not be read; reload the page."))
    if not listed:
        raise forms.ValidationError(AT_LEAST_ONE)
    cleaned = []
    for index, nic in enumerate(listed):
        if not isinstance(nic, dict) or "network_id" not in nic or (
                known is not None and str(nic["network_id"]) not in known):
            raise forms.ValidationError(_("eth%d: choose one of the listed networks.") % index)
        fixed_ip, tag = nic.get("fixed_ip") or "", nic.get("tag") or ""
        if not isinstance(fixed_ip, str) or not isinstance(tag, str):
            raise forms.ValidationError(_("eth%d: a fixed IP and a tag are text.") % index)
        fixed_ip, tag = fixed_ip.strip(), tag.strip()
        cleaned.append({"network_id": str(nic["network_id"]),
                        **({"fixed_ips": [fixed_ip]} if fixed_ip else {}),
                        **({"tag": tag} if tag else {})})
    return cleaned


def carriers(text: str) -> list:
    """The ``carriers`` field: per NIC, null, ``{"port": ...}`` or ``{"bond": {...}}``, as the
    REST API's launch body has them."""
    unreadable = _("The bonding choices could not be read; reload the page.")
    listed = _json_list(text, unreadable)
    for carrier in listed:
        if carrier is not None and (not isinstance(carrier, dict)
                                    or not set(carrier) <= CARRIER_KEYS):
            raise forms.ValidationError(unreadable)
    return listed


def body(*, name: str, nics: list[dict[str, Any]], carriers: list, node: str = "",
         config_drive: bool = False, metadata: Mapping[str, str] | None = None,
         key_name: str = "", user_data: str = "", count: int = 1) -> dict[str, Any]:
    """The REST API's launch body: a NIC takes its carrier only on a bare-metal node; with a
    ``count`` above one, that many instances alike (all or none)."""
    if count > 1 and node:
        raise forms.ValidationError(ONE_PER_NODE)
    launch_nics = []
    for index, nic in enumerate(nics):
        carrier = carriers[index] if index < len(carriers) else None
        launch_nics.append({**nic, **(carrier or {})} if node else dict(nic))
    launch: dict[str, Any] = {"name": name, "nics": launch_nics,
                              "config_drive": bool(config_drive),
                              "metadata": dict(metadata or {})}
    if key_name:
        launch["key_name"] = key_name
    if user_data:
        launch["user_data"] = base64.b64encode(user_data.encode()).decode()
    if node:
        launch["node"] = node
    if count > 1:
        launch["count"] = count
    return launch


def from_fields(fields: Mapping[str, str]) -> dict[str, Any]:
    """The launch body for the wizard's fields as posted (raw), read as the steps read them:
    text stripped, the checkbox as Django reads one. Which key pair, networks and node the user
    may use is the API's to say (the steps check them against the lists they offered)."""
    text = forms.CharField(required=False)  # as the steps' text fields clean theirs

    def field(name: str) -> str:
        return text.clean(fields.get(name, ""))

    return body(name=field("name"), nics=nics(field("nics")),
                carriers=carriers(field("carriers")), node=field("node"),
                config_drive=forms.BooleanField(required=False).clean(
                    fields.get("config_drive")),
                metadata=metadata(field("metadata")), key_name=field("key_name"),
                user_data=field("user_data"), count=count(fields.get("count")))


def count(value: Any) -> int:
    """The Count field as posted, read as the Details step reads it: empty (or absent) is
    one instance."""
    return count_field().clean(value) or 1


def count_field() -> forms.IntegerField:
    """Horizon's "Count": how many instances to launch alike. Its ceiling is the API's (its
    message is what is shown)."""
    return forms.IntegerField(
        label=_("Count"), min_value=1, initial=1, required=False,
        help_text=_("How many instances to launch alike, all or none. With more than one "
                    "they are named NAME-1, NAME-2, ..., each with its own MACs and "
                    "addresses."))
