"""The launch wizard: details, networks (ordered NICs), bare metal, bonding.

The dynamic parts (the NIC list, the bonding form, the live preview) are the
``static/multinic_dashboard/js/horizon.multinic.*.js`` scripts; they keep two hidden fields,
``nics`` and ``carriers``, which is all the server reads from those steps. The launch builds the
REST API's launch body (``launch_request``) and posts it to ``POST /api/instances/`` as the
signed-in user; the preview reads the same fields with the same code and posts the body to
``/api/instances/preview/``: the wizard and the preview cannot disagree, and whatever either
refuses comes back with its message.
"""

import logging
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import forms, messages, workflows

from multinic_dashboard.api import multinic
from multinic_dashboard.dashboards.project.instances import launch_request

LOG = logging.getLogger(__name__)

TEMPLATES = "multinic_dashboard/instances/launch"


def unavailable(request, what, error: multinic.APIError) -> None:
    """Say on the page that ``what`` could not be loaded, and why (the API's message); the
    step then offers nothing it could not load. (Horizon's ``exceptions.handle`` would
    re-raise an ``APIError``: the plugin does not register it as a recoverable exception.)"""
    LOG.warning("multinic API: %s: %s", what, error.message)
    messages.error(request, _("%(what)s could not be loaded: %(why)s")
                   % {"what": what, "why": error.message})


class SetDetailsAction(workflows.Action):
    # No max_length: the launch's limits are the API's, and its message is what is shown.
    name = forms.CharField(label=_("Instance Name"))
    # Native selects (not Horizon's themable dropdowns): keyboard users and the wizard's
    # script both work with them as with any other field.
    key_name = forms.ChoiceField(label=_("Key Pair"), required=False,
                                 widget=forms.Select(attrs={"class": "form-control"}))
    user_data = forms.CharField(
        label=_("Customization Script"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("User data for cloud-init, written to the config drive. As in Nova, at "
                    "most 65,535 bytes once base64-encoded (about 48 KiB of text)."))
    metadata = forms.CharField(
        label=_("Metadata"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("key=value, one per line: the instance's meta in meta_data.json."))
    count = launch_request.count_field()
    config_drive = forms.BooleanField(
        label=_("Configuration Drive"), required=False, initial=True,
        help_text=_("Write metadata and network data to a config drive (an ISO labelled "
                    "config-2) attached to the instance."))

    class Meta:
        name = _("Details")
        slug = "details"
        help_text = _("Name the instance and say what goes into its config drive.")

    def __init__(self, request, context, *args, **kwargs):
        super().__init__(request, context, *args, **kwargs)
        try:
            keys = multinic.keypair_list(request)
        except multinic.APIError as error:
            keys = []
            unavailable(request, _("Your key pairs"), error)
        self.fields["key_name"].choices = [("", _("No key pair"))] + [
            (k.name, k.name) for k in keys]

    def clean_metadata(self) -> dict[str, str]:
        return launch_request.metadata(self.cleaned_data["metadata"])

    def clean_count(self) -> int:
        return self.cleaned_data["count"] or 1


class SetDetails(workflows.Step):
    action_class = SetDetailsAction
    contributes = ("name", "count", "key_name", "user_data", "metadata", "config_drive")


class SetNetworksAction(workflows.Action):
    nics = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        name = _("Networks")
        slug = "networks"
        help_text = _("The selected networks are the instance's NICs in order: the first is "
                      "eth0. Reorder them by dragging or with the arrow buttons; a network "
                      "may be added more than once.")

    def __init__(self, request, context, *args, **kwargs):
        super().__init__(request, context, *args, **kwargs)
        try:
            networks = multinic.network_list(request)
        except multinic.APIError as error:
            networks = []
            unavailable(request, _("The networks"), error)
        # Horizon offers only networks with subnets: a NIC without an address is rarely meant.
        self.networks = [
            {"id": str(n.id), "name": n.name, "shared": n.shared,
             "physical_network": n.get("physical_network") or "",
             "subnets": [f"{s.name} {s.cidr}" if s.get("name") else str(s.cidr)
                         for s in n.subnet_objects]}
            for n in sorted(networks, key=lambda n: (n.name, str(n.id))) if n.subnet_objects]

    def clean_nics(self) -> list[dict[str, Any]]:
        return launch_request.nics(self.cleaned_data["nics"],
                                   known={n["id"] for n in self.networks})


class SetNetworks(workflows.Step):
    action_class = SetNetworksAction
    contributes = ("nics",)
    template_name = f"{TEMPLATES}/_networks.html"


class SetNodeAction(workflows.Action):
    node = forms.ChoiceField(label=_("Bare-Metal Node"), required=False,
                             widget=forms.Select(attrs={"class": "form-control"}))

    class Meta:
        name = _("Bare Metal")
        slug = "baremetal"
        help_text = _("Optional. On a bare-metal node each NIC is carried by one of the "
                      "node's ports or port groups (bonds) and takes its MAC; nothing is "
                      "generated. Without a node the instance is a virtual machine.")

    def __init__(self, request, context, *args, **kwargs):
        super().__init__(request, context, *args, **kwargs)
        try:
            nodes = multinic.launchable_nodes(request)
        except multinic.APIError as error:
            nodes = []
            unavailable(request, _("The bare-metal nodes"), error)
        self.fields["node"].choices = [("", _("No node: a virtual machine"))] + [
            (str(n.uuid), _("%(name)s (%(ports)d ports, %(groups)d port groups)") % {
                "name": n.name, "ports": len(n.ports), "groups": len(n.port_groups)})
            for n in nodes]


class SetNode(workflows.Step):
    action_class = SetNodeAction
    contributes = ("node",)


class SetBondingAction(workflows.Action):
    carriers = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        name = _("Bonding")
        slug = "bonding"
        help_text = _("Choose what carries each NIC on the node: a port, an existing port "
                      "group, or a new bond of ports with the mode and options you pick.")

    def clean_carriers(self) -> list:
        return launch_request.carriers(self.cleaned_data["carriers"])


class SetBonding(workflows.Step):
    action_class = SetBondingAction
    contributes = ("carriers",)
    template_name = f"{TEMPLATES}/_bonding.html"


class LaunchInstance(workflows.Workflow):
    slug = "multinic_launch_instance"
    name = _("Launch Instance")
    finalize_button_name = _("Launch Instance")
    success_message = _('Launched instance "%s".')
    failure_message = _('Unable to launch instance "%s".')
    default_steps = (SetDetails, SetNetworks, SetNode, SetBonding)
    wizard = True
    template_name = f"{TEMPLATES}/_workflow.html"

    launch_error: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return self.context.get("count") or 1

    def format_status_message(self, message) -> str:
        if self.count > 1 and message == self.success_message:
            return _('Launched %(count)d instances, "%(name)s-1" to "%(name)s-%(count)d".') % {
                "count": self.count, "name": self.context.get("name", "")}
        return message % self.context.get("name", "")

    def body(self) -> dict[str, Any]:
        """The REST API's launch body for what the steps hold."""
        context = self.context
        return launch_request.body(
            name=context["name"], nics=context.get("nics") or [],
            carriers=context.get("carriers") or [], node=context.get("node") or "",
            config_drive=bool(context.get("config_drive")), metadata=context.get("metadata"),
            key_name=context.get("key_name") or "", user_data=context.get("user_data") or "",
            count=self.count)

    def handle(self, request, context) -> bool:
        try:
            body = self.body()
        except forms.ValidationError as error:
            return self._refuse(" ".join(error.messages))
        try:
            self.object = multinic.launch_instance(request, body)
        except multinic.APIError as error:
            # A malformed body's message names its first field; all of them are in `fields`.
            return self._refuse(_flatten(error.fields) if error.fields else error.message)
        self.warnings = tuple(self.object.get("warnings") or ())
        for warning in self.warnings:
            messages.warning(request, warning)
        return True

    def _refuse(self, message) -> bool:
        # Shown above the steps, with everything the user entered kept (WorkflowView
        # re-renders the workflow on a ValidationError instead of redirecting).
        self.launch_error = str(message)
        raise forms.ValidationError(message)

    def get_success_url(self) -> str:
        if self.count > 1:  # several: the list shows them all
            return reverse("horizon:project:multinic_instances:index")
        return reverse("horizon:project:multinic_instances:detail", args=[self.object.uuid])


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return "; ".join(_flatten(item) for item in detail)
    return str(detail)

