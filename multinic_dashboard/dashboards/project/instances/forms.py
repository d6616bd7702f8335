"""Attach and detach an interface: modal forms over the instances service."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import forms, messages

from multinic_api.exceptions import MultinicError
from multinic_api.services import instances
from multinic_dashboard import formatting
from multinic_dashboard.api import caller as api


class AttachInterface(forms.SelfHandlingForm):
    network = forms.ThemableChoiceField(label=_("Network"))
    fixed_ip = forms.CharField(label=_("Fixed IP Address"), required=False,
                               help_text=_("Optional: an address of one of the network's "
                                           "subnets; otherwise the next free one"))
    tag = forms.CharField(label=_("Device Tag"), required=False, max_length=60,
                          help_text=_("Optional: shown to the guest in meta_data.json"))

    def __init__(self, request, *args, instance=None, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.instance = instance
        caller = api.caller(request)
        networks = instances.usable_networks(instance.project, caller.is_admin).order_by("name")
        self.fields["network"].choices = [(str(n.pk), n.name) for n in networks]

    def handle(self, request, data):
        nic = instances.NicRequest(network_id=data["network"],
                                   fixed_ips=[data["fixed_ip"]] if data["fixed_ip"] else (),
                                   tag=data["tag"] or None)
        warnings: list[str] = []
        try:
            vif = instances.attach_interface(self.instance, nic, project=self.instance.project,
                                             is_admin=api.caller(request).is_admin,
                                             warnings=warnings)
        except MultinicError as error:
            self.api_error(error.message)
            return False
        for warning in warnings:
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
                          f"({', '.join(formatting.addresses(v)) or v.network.name})")
            for v in instance.vifs.all()]

    def handle(self, request, data):
        try:
            instances.detach_interface(self.instance, data["vif"])
        except MultinicError as error:
            self.api_error(error.message)
            return False
        messages.success(request, _("Detached the interface from %s.") % self.instance.name)
        return True


def detail_url(instance) -> str:
    return reverse("horizon:project:multinic_instances:detail", args=[instance.uuid])
