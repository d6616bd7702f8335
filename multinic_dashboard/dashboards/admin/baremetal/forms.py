"""Create and edit a port group: a modal form over ``services.baremetal``.

The form only turns what a person types into the service's arguments (options as
``key=value`` lines or a JSON object); every rule (names, MACs, members, the bonding
driver's options per mode) is the service's, and its message becomes the form's error.
"""

import json

from django.utils.translation import gettext_lazy as _
from horizon import forms, messages

from multinic_api.exceptions import MultinicError
from multinic_api.services import baremetal, bonding
from multinic_dashboard.dashboards.admin import links


def parse_properties(text: str) -> dict:
    """Bonding options from ``key=value`` lines (values as typed: the bonding service takes
    "100" for 100 and "a,b" for a list of ARP targets) or from a JSON object."""
    text = (text or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("Not a JSON object: %(msg)s (line %(line)s, column %(col)s)")
                % {"msg": error.msg, "line": error.lineno, "col": error.colno}) from None
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


def _port_label(port, group) -> str:
    details = [port.physical_network or _("no physical network")]
    if port.pxe_enabled:
        details.append("PXE")
    label = f"{port.mac} ({', '.join(str(d) for d in details)})"
    if port.port_group_id and (group is None or port.port_group_id != group.pk):
        label += f" - {_('in')} {port.port_group.name}"
    vif = links.carried_vif(port)
    if vif is not None:
        label += f" - {_('carries an interface of')} {vif.instance.name}"
    return label


class PortGroupForm(forms.SelfHandlingForm):
    name = forms.CharField(
        label=_("Name"), max_length=255,
        help_text=_("Letters, digits and - . _ ~ (Ironic's logical name), e.g. bond0"))
    mac = forms.CharField(
        label=_("MAC Address"), max_length=64, required=False,
        help_text=_("Optional. It may equal one member port's MAC; without one, a VIF on this "
                    "group takes the first member's MAC."))
    mode = forms.ThemableChoiceField(
        label=_("Mode"), initial=bonding.DEFAULT_MODE,
        choices=[(mode.name, mode.name) for mode in bonding.MODES],
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

    def __init__(self, request, *args, node, group=None, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.node, self.group = node, group
        node_ports = list(node.ports.select_related("port_group", "vif__instance")
                          .order_by("mac"))
        self.fields["ports"].choices = [(str(p.pk), _port_label(p, group)) for p in node_ports]
        if group is not None:
            self.initial.update(
                name=group.name, mac=group.mac or "", mode=group.mode,
                properties=format_properties(group.properties),
                standalone_ports_supported=group.standalone_ports_supported,
                ports=[str(p.pk) for p in group.ports.all()])

    def clean_properties(self) -> dict:
        return parse_properties(self.cleaned_data.get("properties", ""))

    def handle(self, request, data):
        arguments = {"mac": data["mac"] or None, "mode": data["mode"],
                     "properties": data["properties"],
                     "standalone_ports_supported": data["standalone_ports_supported"],
                     "ports": data["ports"]}
        try:
            if self.group is None:
                group, bond = baremetal.create_port_group(self.node, data["name"], **arguments)
                done = _('Created port group "%s".')
            else:
                group, bond = baremetal.update_port_group(self.group, name=data["name"],
                                                          **arguments)
                done = _('Updated port group "%s".')
        except MultinicError as error:
            self.api_error(error.message)
            return False
        messages.success(request, done % group.name)
        for warning in bond.warnings:
            messages.warning(request, warning)
        return group
