"""Create a network, create and delete a subnet: modal forms over the subnets service.

The forms only turn what a person types into the service's arguments (a line per DNS server,
pool or route); every rule about addresses is the service's, and its message is shown as the
form's error.
"""

import re

from django.utils.translation import gettext_lazy as _
from horizon import forms, messages

from multinic_api.exceptions import MultinicError
from multinic_api.models import Subnet
from multinic_api.services import subnets
from multinic_dashboard.api import caller as api

_UNSET = (None, "", "false", "False", "0", "off")


class CreateNetwork(forms.SelfHandlingForm):
    # Only administrators see these (subnets.check_network_request is the rule).
    ADMIN_ONLY = ("shared", "physical_network")

    name = forms.CharField(label=_("Network Name"), max_length=255, required=False)
    mtu = forms.IntegerField(label=_("MTU"), required=False,
                             help_text=_("Optional: 68 to 65535; empty for 1500 (Ethernet)"))
    shared = forms.BooleanField(label=_("Shared"), required=False,
                                help_text=_("Every project may attach to a shared network"))
    physical_network = forms.CharField(
        label=_("Physical Network"), max_length=64, required=False,
        help_text=_("Optional: the provider network it runs on, e.g. physnet1; bare-metal "
                    "NICs bind to ports on the same physical network"))

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.caller = api.caller(request)
        if not self.caller.is_admin:
            for name in self.ADMIN_ONLY:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        # A tenant's form has no such fields, but a crafted POST may still send them.
        requested = {name: self.data.get(name) not in _UNSET for name in self.ADMIN_ONLY}
        try:
            subnets.check_network_request(self.caller.is_admin, **requested)
        except MultinicError as error:
            raise forms.ValidationError(error.message) from None
        return data

    def handle(self, request, data):
        options = {}
        if data.get("mtu") is not None:
            options["mtu"] = data["mtu"]
        if self.caller.is_admin:
            options["shared"] = data["shared"]
            options["physical_network"] = data["physical_network"] or None
        try:
            network = subnets.create_network(self.caller.require_project(), data["name"],
                                             **options)
        except MultinicError as error:
            self.api_error(error.message)
            return False
        messages.success(request, _('Created network "%s".') % (network.name or network.pk))
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

    name = forms.CharField(label=_("Subnet Name"), max_length=255, required=False)
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
                 *Subnet.IPv6AddressMode.choices],
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

    def _gateway(self, data) -> str | None:
        if data["gateway"] == "none":
            return None
        if data["gateway"] == "explicit":
            return data["gateway_ip"].strip()
        return subnets.AUTO

    def handle(self, request, data):
        try:
            subnet = subnets.create_subnet(
                self.network, data["cidr"], name=data["name"], gateway_ip=self._gateway(data),
                allocation_pools=data["allocation_pools"],
                dns_nameservers=data["dns_nameservers"], host_routes=data["host_routes"],
                enable_dhcp=data["enable_dhcp"], dhcp_server=data["dhcp_server"] or None,
                ipv6_address_mode=data["ipv6_address_mode"] or None)
        except MultinicError as error:
            self.api_error(error.message)
            return False
        messages.success(request, _('Created subnet %(cidr)s on network "%(network)s".') % {
            "cidr": subnet.cidr, "network": self.network.name or self.network.pk})
        return subnet


class DeleteSubnet(forms.SelfHandlingForm):
    subnet = forms.ThemableChoiceField(label=_("Subnet"))

    def __init__(self, request, *args, network=None, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.network = network
        self.fields["subnet"].choices = [
            (str(s.pk), f"{s.name} {s.cidr}" if s.name else s.cidr)
            for s in network.subnets.all()]

    def handle(self, request, data):
        subnet = self.network.subnets.filter(pk=data["subnet"]).first()
        if subnet is None:  # deleted meanwhile
            self.api_error(_("That subnet no longer exists."))
            return False
        try:
            subnets.delete_subnet(subnet)
        except MultinicError as error:
            self.api_error(error.message)
            return False
        messages.success(request, _("Deleted subnet %s.") % subnet.cidr)
        return True
