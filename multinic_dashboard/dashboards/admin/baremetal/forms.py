"""Modal forms for nodes, ports and port groups, each a call of the API.

A form only turns what a person types into the API's request (options as ``key=value``
lines or a JSON object, the local link's three fields as one object); every rule (names,
MACs, members, physical networks, the bonding driver's options per mode, what a carried
VIF freezes) is the API's, and its refusal's message becomes the form's error.
"""

import json

from django.utils.translation import gettext_lazy as _
from horizon import forms, messages

from multinic_dashboard import jsoninput
from multinic_dashboard.api import multinic


def parse_properties(text: str) -> dict:
    """Options from ``key=value`` lines (values as typed: the bonding rules take "100" for
    100 and "a,b" for a list of ARP targets) or from a JSON object."""
    text = (text or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            value = jsoninput.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("Not a JSON object: %(msg)s (line %(line)s, column %(col)s)")
                % {"msg": error.msg, "line": error.lineno, "col": error.colno}) from None
        except jsoninput.JSONInputError as error:
            raise forms.ValidationError(_("Not a JSON object: %s") % error) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Give the options as a JSON object or key=value "
                                          "lines."))
        return value
    options = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, separator, value = (part.strip() for part in line.partition("="))
        if not separator or not key:
            raise forms.ValidationError(
                _('"%(line)s" is not key=value; write one option per line, e.g. miimon=100')
                % {"line": line})
        if key in options:
            raise forms.ValidationError(_('Option "%(key)s" is given twice.') % {"key": key})
        options[key] = value
    return options


def format_properties(properties: dict) -> str:
    """The inverse of ``parse_properties`` for key=value lines (lists comma-separated)."""
    return "\n".join(f"{name}={','.join(map(str, value)) if isinstance(value, list) else value}"
                     for name, value in properties.items())


class APIForm(forms.SelfHandlingForm):
    """``handle`` calls ``submit``; an API refusal is the form's error, with its message,
    and the form is shown again (nothing changed: the API does all or nothing)."""

    def handle(self, request, data):
        try:
            return self.submit(request, data)
        except multinic.APIError as error:
            self.api_error(error.message)
            return False

    def submit(self, request, data):
        raise NotImplementedError


# --- port groups ----------------------------------------------------------------------------

def _port_label(port, group) -> str:
    details = [port.physical_network or _("no physical network")]
    if port.pxe_enabled:
        details.append("PXE")
    label = f"{port.mac} ({', '.join(str(d) for d in details)})"
    if port.group is not None and (group is None or port.group.uuid != group.uuid):
        label += f" - {_('in')} {port.group.name}"
    if port.carried_vif is not None:
        label += f" - {_('carries an interface of')} {port.carried_vif.instance_name}"
    return label


class PortGroupForm(APIForm):
    name = forms.CharField(
        label=_("Name"), max_length=255,
        help_text=_("Letters, digits and - . _ ~ (Ironic's logical name), e.g. bond0"))
    mac = forms.CharField(
        label=_("MAC Address"), max_length=64, required=False,
        help_text=_("Optional. It may equal one member port's MAC; without one, a VIF on this "
                    "group takes the first member's MAC."))
    mode = forms.ThemableChoiceField(
        label=_("Mode"),
        help_text=_("The Linux bonding mode; see the right for what each needs from the "
                    "switch."))
    properties = forms.CharField(
        label=_("Properties"), required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "miimon=100\n"
                                                              "xmit_hash_policy=layer3+4"}),
        help_text=_("Bonding options, one key=value per line or a JSON object, e.g. "
                    "miimon=100. Which options a mode allows is on the right."))
    standalone_ports_supported = forms.BooleanField(
        label=_("Standalone Ports Supported"), required=False, initial=True,
        help_text=_("Whether the member ports may also be used as single ports."))
    ports = forms.MultipleChoiceField(
        label=_("Member Ports"), required=False,
        widget=forms.ThemableCheckboxSelectMultiple,
        help_text=_("Ports of this node, all on one physical network; two or more to be "
                    "useful."))

    def __init__(self, request, *args, inventory, group=None, modes=(), **kwargs):
        super().__init__(request, *args, **kwargs)
        self.inventory, self.group = inventory, group
        # The modes and their default come from the API's bonding table.
        self.fields["mode"].choices = [(mode["name"], mode["name"]) for mode in modes]
        self.fields["mode"].initial = next((m["name"] for m in modes if m["default"]), None)
        self.fields["ports"].choices = [(str(p.uuid), _port_label(p, group))
                                        for p in inventory.ports]
        if group is not None:
            self.initial.update(
                name=group.name, mac=group.mac or "", mode=group.mode,
                properties=format_properties(group.properties),
                standalone_ports_supported=group.standalone_ports_supported,
                ports=[str(p) for p in group.ports])

    def clean_properties(self) -> dict:
        return parse_properties(self.cleaned_data.get("properties", ""))

    def submit(self, request, data):
        fields = {"mac": data["mac"] or None, "mode": data["mode"],
                  "properties": data["properties"],
                  "standalone_ports_supported": data["standalone_ports_supported"],
                  "ports": data["ports"]}
        if self.group is None:
            group = multinic.portgroup_create(request, self.inventory.uuid, data["name"],
                                              **fields)
            done = _('Created port group "%s".')
        else:
            group = multinic.portgroup_update(request, str(self.group.uuid),
                                              name=data["name"], **fields)
            done = _('Updated port group "%s".')
        messages.success(request, done % group.name)
        for warning in group.get("warnings", []):
            messages.warning(request, warning)
        return group


# --- nodes ----------------------------------------------------------------------------------

# Ironic's usual scheduling properties, offered as fields; any other goes in "Other".
INTEGER_PROPERTIES = (("cpus", _("CPUs")), ("memory_mb", _("Memory (MB)")),
                      ("local_gb", _("Local Disk (GB)")))
TEXT_PROPERTIES = (("cpu_arch", _("CPU Architecture")),)
KNOWN_PROPERTIES = tuple(name for name, _label in INTEGER_PROPERTIES + TEXT_PROPERTIES)


class NodeForm(APIForm):
    name = forms.CharField(
        label=_("Name"), max_length=255,
        help_text=_("Letters, digits and - . _ ~ (Ironic's logical name), e.g. node-1"))
    project = forms.CharField(
        label=_("Project"), max_length=64, required=False,
        help_text=_("The project (ID or name) whose users may launch onto the node; empty: "
                    "administrators only."))
    cpus = forms.IntegerField(label=_("CPUs"), required=False, min_value=0)
    memory_mb = forms.IntegerField(label=_("Memory (MB)"), required=False, min_value=0)
    local_gb = forms.IntegerField(label=_("Local Disk (GB)"), required=False, min_value=0)
    cpu_arch = forms.CharField(label=_("CPU Architecture"), max_length=64, required=False,
                               widget=forms.TextInput(attrs={"placeholder": "x86_64"}))
    other_properties = forms.CharField(
        label=_("Other Properties"), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "capabilities=boot_mode:uefi"}),
        help_text=_("Any other properties, one key=value per line or a JSON object."))

    def __init__(self, request, *args, node=None, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.node = node
        if node is not None:
            properties = dict(node.properties or {})
            known = {name: properties.pop(name) for name in KNOWN_PROPERTIES
                     if name in properties}
            self.initial.update(name=node.name, project=node.project_id or "",
                                other_properties=format_properties(properties), **known)

    def clean_other_properties(self) -> dict:
        return parse_properties(self.cleaned_data.get("other_properties", ""))

    def clean(self):
        data = super().clean()
        others = data.get("other_properties") or {}
        for name in KNOWN_PROPERTIES:
            if name in others:
                self.add_error("other_properties",
                               _('"%(name)s" has its own field above.') % {"name": name})
        return data

    def properties(self, data) -> dict:
        known = {name: data[name] for name in KNOWN_PROPERTIES
                 if data.get(name) not in (None, "")}
        return {**data["other_properties"], **known}

    def submit(self, request, data):
        project = data["project"].strip() or None
        if self.node is None:
            node = multinic.node_create(request, data["name"], project_id=project,
                                        properties=self.properties(data))
            messages.success(request, _('Enrolled node "%s".') % node.name)
        else:
            node = multinic.node_update(request, str(self.node.uuid), name=data["name"],
                                        project_id=project, properties=self.properties(data))
            messages.success(request, _('Updated node "%s".') % node.name)
        return node


# --- ports ----------------------------------------------------------------------------------

LINK_FIELDS = ("switch_id", "port_id", "switch_info")


class PortForm(APIForm):
    mac = forms.CharField(
        label=_("MAC Address"), max_length=64,
        help_text=_("The NIC's MAC address, any notation; unique among ports."))
    physical_network = forms.CharField(
        label=_("Physical Network"), max_length=64, required=False,
        help_text=_("The physical network the NIC is cabled to; empty for any."))
    pxe_enabled = forms.BooleanField(
        label=_("PXE Enabled"), required=False, initial=True,
        help_text=_("Whether the node may boot by PXE through this port."))
    switch_id = forms.CharField(
        label=_("Switch ID"), max_length=64, required=False,
        help_text=_("Local link connection: the switch's MAC address (with Port ID)."))
    port_id = forms.CharField(
        label=_("Port ID"), max_length=255, required=False,
        help_text=_("Local link connection: the switch port, e.g. Ethernet1/1 (with "
                    "Switch ID)."))
    switch_info = forms.CharField(
        label=_("Switch Info"), max_length=255, required=False,
        help_text=_("Local link connection: optional, e.g. the switch's name."))
    port_group = forms.ThemableChoiceField(
        label=_("Port Group"), required=False,
        help_text=_("The port group this port belongs to."))

    def __init__(self, request, *args, inventory, port=None, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.inventory, self.port = inventory, port
        self.fields["port_group"].choices = [("", _("No port group"))] + [
            (str(g.uuid), g.name) for g in inventory.groups]
        if port is not None:
            self.initial.update(
                mac=port.mac, physical_network=port.physical_network,
                pxe_enabled=port.pxe_enabled,
                port_group=str(port.port_group_uuid) if port.port_group_uuid else "",
                **{key: (port.local_link_connection or {}).get(key, "") for key in LINK_FIELDS})

    def submit(self, request, data):
        # Only what was typed: the API says whether the link is complete (Ironic's rule:
        # empty, or switch_id and port_id together).
        link = {key: data[key].strip() for key in LINK_FIELDS if data[key].strip()}
        fields = {"physical_network": data["physical_network"].strip(),
                  "pxe_enabled": data["pxe_enabled"],
                  "port_group_uuid": data["port_group"] or None,
                  "local_link_connection": link}
        if self.port is None:
            port = multinic.port_create(request, self.inventory.uuid, data["mac"], **fields)
            messages.success(request, _('Created port %s.') % port.mac)
        else:
            port = multinic.port_update(request, str(self.port.uuid), mac=data["mac"],
                                        **fields)
            messages.success(request, _('Updated port %s.') % port.mac)
        return port
