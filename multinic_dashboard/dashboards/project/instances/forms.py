"""Attach and detach an interface: modal forms over the API's interfaces of an instance.

The API decides what may be attached (a network the instance's project may use, a free
address of it); its refusal is shown as the form's error, and nothing is attached."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import forms, messages

from multinic_dashboard import formatting
from multinic_dashboard.api import multinic


class AttachInterface(forms.SelfHandlingForm):
    network = forms.ThemableChoiceField(label=_("Network"))
    fixed_ip = forms.CharField(label=_("Fixed IP Address"), required=False,
                               help_text=_("Optional: an address of one of the network's "
                                           "subnets; otherwise the next free one"))
    tag = forms.CharField(label=_("Device Tag"), required=False,  # the API's limit, not one here
                          help_text=_("Optional: shown to the guest in meta_data.json"))

    def __init__(self, request, *args, instance=None, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.instance = instance
        # The networks the user may attach to (their project's and shared ones; any, for an
        # administrator): the instance is in the user's project, or the user is an admin.
        try:
            networks = multinic.attachable_networks(request)
        except multinic.APIError as error:
            networks = []
            messages.error(request, error.message)
        self.fields["network"].choices = [(str(n.id), n.name or str(n.id)) for n in networks]

    def handle(self, request, data):
        nic = {"network_id": data["network"]}
        if data["fixed_ip"]:
            nic["fixed_ips"] = [data["fixed_ip"]]
        if data["tag"]:
            nic["tag"] = data["tag"]
        try:
            vif = multinic.interface_attach(request, self.instance.uuid, **nic)
        except multinic.APIError as error:
            self.api_error(error.message)
            return False
        for warning in vif.get("warnings", []):
            messages.warning(request, warning)
        messages.success(request, _("Attached %(nic)s (%(mac)s) to %(name)s.") % {
            "nic": formatting.nic_name(vif), "mac": vif.mac, "name": self.instance.name})
        return True


class DetachInterface(forms.SelfHandlingForm):
    vif = forms.ThemableChoiceField(label=_("Interface"))

    def __init__(self, request, *args, instance=None, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.instance = instance
        self.fields["vif"].choices = [
            (str(v.uuid), f"{formatting.nic_name(v)}: {v.mac} "
                          f"({', '.join(formatting.addresses(v)) or v.network_name})")
            for v in instance.interface_objects]

    def handle(self, request, data):
        try:
            multinic.interface_detach(request, self.instance.uuid, data["vif"])
        except multinic.APIError as error:
            self.api_error(error.message)
            return False
        messages.success(request, _("Detached the interface from %s.") % self.instance.name)
        return True


def detail_url(instance) -> str:
    return reverse("horizon:project:multinic_instances:detail", args=[instance.uuid])
