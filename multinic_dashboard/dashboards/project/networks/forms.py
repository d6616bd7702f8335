"""Create a network, create and delete a subnet: modal forms over the API's networks and
subnets.

The forms only turn what a person types into the API's fields (a line per DNS server, pool
or route); every rule about addresses, and who may do what, is the API's, and its message is
shown as the form's error (on the field it names, when the form has that field).
"""

import re

from django.utils.translation import gettext_lazy as _
from horizon import forms, messages

from multinic_dashboard.api import multinic

_UNSET = (None, "", "false", "False", "0", "off")


def show_api_error(form: forms.SelfHandlingForm, error: multinic.APIError) -> None:
    """The API's refusal on the form: on the fields it names that the form has, else as the
    form's own error."""
    named = {name: texts for name, texts in error.fields.items() if name in form.fields}
    if not named:
        form.api_error(error.message)
        return
    for name, field_messages in named.items():
        for message in field_messages if isinstance(field_messages, list) else [field_messages]:
            form.add_error(name, str(message))


#: The API's VIF types (its ``vif_type`` enum), with words for people; the API checks the
#: value, so a type it stopped offering is its refusal on the field, not a wrong network.
VIF_TYPE_CHOICES = [
    ("", _("The operator's default")),
    ("bridge", _("Linux bridge")),
    ("ovs", _("Open vSwitch")),
    ("vhostuser", _("vhost-user (OVS-DPDK)")),
    ("tap", _("tap (made by the network backend)")),
]


class CreateNetwork(forms.SelfHandlingForm):
    # Only administrators see these; the API refuses them from anyone else.
    ADMIN_ONLY = ("shared", "physical_network", "vif_type")

    # Lengths are the API's rule, not the form's: its message is shown (show_api_error).
    name = forms.CharField(label=_("Network Name"), required=False)
    mtu = forms.IntegerField(label=_("MTU"), required=False,
                             help_text=_("Optional: 68 to 65535; empty for 1500 (Ethernet)"))
    shared = forms.BooleanField(label=_("Shared"), required=False,
                                help_text=_("Every project may attach to a shared network"))
    physical_network = forms.CharField(
        label=_("Physical Network"), required=False,
        help_text=_("Optional: the provider network it runs on, e.g. physnet1; bare-metal "
                    "NICs bind to ports on the same physical network"))
    vif_type = forms.ThemableChoiceField(
        label=_("VIF Type"), required=False, choices=VIF_TYPE_CHOICES,
        help_text=_("How compute hosts plug its NICs: the switch the hosts run. NICs "
                    "attached later take it; bare-metal NICs are the node's own ports."))

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.is_admin = bool(getattr(request.user, "is_superuser", False))
        if not self.is_admin:
            for name in self.ADMIN_ONLY:
                del self.fields[name]

    def _body(self, data) -> dict:
        body = {"name": data["name"]}
        if data.get("mtu") is not None:
            body["mtu"] = data["mtu"]
        if self.is_admin:
            body["shared"] = data["shared"]
            body["physical_network"] = data["physical_network"] or None
            if data.get("vif_type"):
                body["vif_type"] = data["vif_type"]
        else:
            # A tenant's form has no such fields, but a crafted POST may still send them:
            # they go to the API, whose rule it is to refuse them.
            if self.data.get("shared") not in _UNSET:
                body["shared"] = True
            if self.data.get("physical_network") not in _UNSET:
                body["physical_network"] = self.data["physical_network"]
            if self.data.get("vif_type") not in _UNSET:
                body["vif_type"] = self.data["vif_type"]
        return body

    def handle(self, request, data):
        try:
            network = multinic.network_create(request, **self._body(data))
        except multinic.APIError as error:
            show_api_error(self, error)
            return False
        messages.success(request, _('Created network "%s".') % (network.name or network.id))
        return network


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _pairs(text: str, separator: str, what: str, example: str) -> list[tuple[str, str]]:
    """Each non-empty line split in two at ``separator`` (a regular expression)."""
    pairs = []
    for line in _lines(text):
        parts = [part.strip() for part in re.split(separator, line, maxsplit=1)]
        if len(parts) != 2 or not all(parts):
            raise forms.ValidationError(
                _('"%(line)s" is not %(what)s; write one per line as %(example)s')
                % {"line": line, "what": what, "example": example})
        pairs.append((parts[0], parts[1]))
    return pairs


class CreateSubnet(forms.SelfHandlingForm):
    GATEWAY_CHOICES = (("auto", _("Automatic: the first usable address")),
                       ("none", _("No gateway")),
                       ("explicit", _("This address:")))

    name = forms.CharField(label=_("Subnet Name"), required=False)
    cidr = forms.CharField(
        label=_("Network Address"), max_length=64,
        help_text=_("In CIDR notation, IPv4 or IPv6: 10.0.0.0/24, 2001:db8::/64. The IP version "
                    "follows from it."))
    gateway = forms.ThemableChoiceField(
        label=_("Gateway"), choices=GATEWAY_CHOICES, initial="auto",
        widget=forms.ThemableSelectWidget(attrs={"class": "switchable",
                                                 "data-slug": "gateway"}))
    gateway_ip = forms.CharField(
        label=_("Gateway IP"), max_length=64, required=False,
        widget=forms.TextInput(attrs={"class": "switched", "data-switch-on": "gateway",
                                      "data-gateway-explicit": _("Gateway IP")}))
    enable_dhcp = forms.BooleanField(label=_("Enable DHCP"), initial=True, required=False)
    dhcp_server = forms.CharField(
        label=_("DHCP Server"), max_length=64, required=False,
        help_text=_("Optional: an address of the subnet reserved for the DHCP server"))
    dns_nameservers = forms.CharField(
        label=_("DNS Name Servers"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One address per line"))
    allocation_pools = forms.CharField(
        label=_("Allocation Pools"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One pool per line as start-end, e.g. 10.0.0.10-10.0.0.99; empty for the "
                    "whole usable range"))
    host_routes = forms.CharField(
        label=_("Host Routes"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One route per line as destination CIDR,next hop, e.g. "
                    "192.168.200.0/24,10.0.0.254"))
    ipv6_address_mode = forms.ThemableChoiceField(
        label=_("IPv6 Address Mode"), required=False,
        choices=[("", _("None (addresses set by hand or by another system)")),
                 ("slaac", _("SLAAC")), ("dhcpv6-stateful", _("DHCPv6 stateful")),
                 ("dhcpv6-stateless", _("DHCPv6 stateless"))],
        help_text=_("IPv6 subnets only. SLAAC and DHCPv6 stateless derive each address from "
                    "the MAC (EUI-64) and need a /64."))

    def __init__(self, request, *args, network=None, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.network = network

    def clean_dns_nameservers(self) -> list[str]:
        return _lines(self.cleaned_data["dns_nameservers"])

    def clean_allocation_pools(self) -> list[dict[str, str]] | None:
        # IPv6 addresses have no "-"; horizon's own "start,end" is taken too.
        pairs = _pairs(self.cleaned_data["allocation_pools"], r"\s*[-,]\s*",
                       _("an allocation pool"), "10.0.0.10-10.0.0.99")
        return [{"start": start, "end": end} for start, end in pairs] or None

    def clean_host_routes(self) -> list[dict[str, str]]:
        pairs = _pairs(self.cleaned_data["host_routes"], r"\s*,\s*|\s+",
                       _("a host route"), "192.168.200.0/24,10.0.0.254")
        return [{"destination": dest, "nexthop": hop} for dest, hop in pairs]

    def clean(self):
        data = super().clean()
        if data.get("gateway") == "explicit" and not (data.get("gateway_ip") or "").strip():
            self.add_error("gateway_ip", _("Enter the gateway's address, or choose an automatic "
                                           "gateway or none."))
        return data

    def _body(self, data) -> dict:
        body = {"cidr": data["cidr"], "name": data["name"],
                "dns_nameservers": data["dns_nameservers"], "host_routes": data["host_routes"],
                "enable_dhcp": data["enable_dhcp"], "dhcp_server": data["dhcp_server"] or None,
                "ipv6_address_mode": data["ipv6_address_mode"] or None}
        # The API's gateway: left out, the first usable address; null, none.
        if data["gateway"] == "none":
            body["gateway_ip"] = None
        elif data["gateway"] == "explicit":
            body["gateway_ip"] = data["gateway_ip"].strip()
        if data["allocation_pools"] is not None:  # left out: the whole usable range
            body["allocation_pools"] = data["allocation_pools"]
        return body

    def handle(self, request, data):
        try:
            subnet = multinic.subnet_create(request, self.network.id, **self._body(data))
        except multinic.APIError as error:
            show_api_error(self, error)
            return False
        messages.success(request, _('Created subnet %(cidr)s on network "%(network)s".') % {
            "cidr": subnet.cidr, "network": self.network.name or self.network.id})
        return subnet


class DeleteSubnet(forms.SelfHandlingForm):
    subnet = forms.ThemableChoiceField(label=_("Subnet"))

    def __init__(self, request, *args, network=None, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.network = network
        # Only this network's subnets are choices: another network's is not deleted
        # through this one.
        self.fields["subnet"].choices = [
            (str(s.id), f"{s.name} {s.cidr}" if s.name else s.cidr)
            for s in network.subnet_objects]

    def handle(self, request, data):
        (subnet,) = [s for s in self.network.subnet_objects if str(s.id) == data["subnet"]]
        try:
            multinic.subnet_delete(request, subnet.id)
        except multinic.APIError as error:
            if error.not_found:  # deleted meanwhile
                self.api_error(_("That subnet no longer exists."))
            else:
                self.api_error(error.message)
            return False
        messages.success(request, _("Deleted subnet %s.") % subnet.cidr)
        return True
