"""The launch wizard: details, networks (ordered NICs), bare metal, bonding.

The dynamic parts (the NIC list, the bonding form, the live preview) are
``static/multinic_dashboard/js/launch.js``; it keeps two hidden fields, ``nics`` and
``carriers``, which is all the server reads from those steps. The launch itself builds the
REST API's launch body and hands it to the same code the API runs
(``multinic_api.api.launching``), so the wizard, the preview and ``POST /api/instances/``
cannot disagree.
"""

import base64
import json
from typing import Any

from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import forms, messages, workflows
from rest_framework.exceptions import ValidationError as BodyError

from multinic_api.api import launching
from multinic_api.exceptions import MultinicError
from multinic_api.models import Port, PortGroup
from multinic_api.services import baremetal, instances, keypairs
from multinic_dashboard.api import caller as api

TEMPLATES = "multinic_dashboard/instances/launch"
AT_LEAST_ONE = _("At least one network must be specified.")


def _json_list(text: str, what: str) -> list:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        value = None
    if not isinstance(value, list):
        raise forms.ValidationError(_("The %s could not be read; reload the page.") % what)
    return value


class SetDetailsAction(workflows.Action):
    name = forms.CharField(max_length=255, label=_("Instance Name"))
    # Native selects (not Horizon's themable dropdowns): keyboard users and the wizard's
    # script both work with them as with any other field.
    key_name = forms.ChoiceField(label=_("Key Pair"), required=False,
                                 widget=forms.Select(attrs={"class": "form-control"}))
    user_data = forms.CharField(
        label=_("Customization Script"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("User data for cloud-init (at most 64 KiB); written to the config drive."))
    metadata = forms.CharField(
        label=_("Metadata"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("key=value, one per line: the instance's meta in meta_data.json."))
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
        keys = keypairs.user_keypairs(api.caller(request).user_id).order_by("name")
        self.fields["key_name"].choices = [("", _("No key pair"))] + [
            (k.name, k.name) for k in keys]

    def clean_metadata(self) -> dict[str, str]:
        metadata = {}
        for number, line in enumerate(self.cleaned_data["metadata"].splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise forms.ValidationError(
                    _("Line %(n)d: write key=value (got %(line)r).") % {"n": number,
                                                                        "line": line})
            metadata[key.strip()] = value.strip()
        return metadata


class SetDetails(workflows.Step):
    action_class = SetDetailsAction
    contributes = ("name", "key_name", "user_data", "metadata", "config_drive")


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
        caller = api.caller(request)
        networks = instances.usable_networks(caller.project, caller.is_admin).filter(
            subnets__isnull=False).distinct().prefetch_related("subnets").order_by("name")
        # Horizon offers only networks with subnets: a NIC without an address is rarely meant.
        self.networks = [
            {"id": str(n.pk), "name": n.name, "shared": n.shared,
             "physical_network": n.physical_network or "",
             "subnets": [f"{s.name or s.cidr} {s.cidr}".strip() if s.name else str(s.cidr)
                         for s in n.subnets.all()]}
            for n in networks]

    def clean_nics(self) -> list[dict[str, Any]]:
        nics = _json_list(self.cleaned_data["nics"], "list of networks")
        if not nics:
            raise forms.ValidationError(AT_LEAST_ONE)
        known = {n["id"] for n in self.networks}
        cleaned = []
        for index, nic in enumerate(nics):
            if not isinstance(nic, dict) or str(nic.get("network_id")) not in known:
                raise forms.ValidationError(_("eth%d: choose one of the listed networks.")
                                            % index)
            fixed_ip, tag = nic.get("fixed_ip") or "", nic.get("tag") or ""
            if not isinstance(fixed_ip, str) or not isinstance(tag, str):
                raise forms.ValidationError(_("eth%d: a fixed IP and a tag are text.") % index)
            fixed_ip, tag = fixed_ip.strip(), tag.strip()
            cleaned.append({"network_id": str(nic["network_id"]),
                            **({"fixed_ips": [fixed_ip]} if fixed_ip else {}),
                            **({"tag": tag} if tag else {})})
        return cleaned


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
        caller = api.caller(request)
        nodes = baremetal.visible_nodes(caller.project, caller.is_admin).annotate(
            port_count=Count("ports", distinct=True),
            group_count=Count("port_groups", distinct=True)).order_by("name")
        self.fields["node"].choices = [("", _("No node: a virtual machine"))] + [
            (str(n.uuid), _("%(name)s (%(ports)d ports, %(groups)d port groups)") % {
                "name": n.name, "ports": n.port_count, "groups": n.group_count})
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

    def __init__(self, request, context, *args, **kwargs):
        super().__init__(request, context, *args, **kwargs)
        caller = api.caller(request)
        self.nodes = _node_inventory(baremetal.visible_nodes(caller.project, caller.is_admin))

    def clean_carriers(self) -> list:
        """Per NIC: null, ``{"port": ...}`` or ``{"bond": {...}}``, as the REST API's launch
        body has them. Only those keys: a carrier must not speak for the NIC's network,
        addresses or MAC, which the Networks step decided."""
        carriers = _json_list(self.cleaned_data["carriers"], "bonding choices")
        for carrier in carriers:
            if carrier is not None and (not isinstance(carrier, dict)
                                        or not set(carrier) <= {"port", "bond"}):
                raise forms.ValidationError(_("The bonding choices could not be read; reload "
                                              "the page."))
        return carriers


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

    def format_status_message(self, message) -> str:
        return message % self.context.get("name", "")

    def body(self) -> dict[str, Any]:
        """The REST API's launch body for what the steps hold."""
        context = self.context
        carriers = context.get("carriers") or []
        nics = []
        for index, nic in enumerate(context.get("nics") or []):
            carrier = carriers[index] if index < len(carriers) else None
            nics.append({**nic, **(carrier or {})} if context.get("node") else dict(nic))
        body: dict[str, Any] = {"name": context["name"], "nics": nics,
                                "config_drive": bool(context.get("config_drive")),
                                "metadata": context.get("metadata") or {}}
        if context.get("key_name"):
            body["key_name"] = context["key_name"]
        if context.get("user_data"):
            body["user_data"] = base64.b64encode(context["user_data"].encode()).decode()
        if context.get("node"):
            body["node"] = context["node"]
        return body

    def handle(self, request, context) -> bool:
        caller = api.caller(request)
        try:
            project = caller.require_project()  # before body(): no project, nothing else matters
            self.object, self.warnings = launching.launch_from_body(
                self.body(), user_id=caller.user_id, project=project, is_admin=caller.is_admin)
        except MultinicError as error:
            return self._refuse(error.message)
        except BodyError as error:
            return self._refuse(_flatten(error.detail))
        for warning in self.warnings:
            messages.warning(request, warning)
        return True

    def _refuse(self, message) -> bool:
        # Shown above the steps, with everything the user entered kept (WorkflowView
        # re-renders the workflow on a ValidationError instead of redirecting).
        self.launch_error = str(message)
        raise forms.ValidationError(message)

    def get_success_url(self) -> str:
        return reverse("horizon:project:multinic_instances:detail", args=[self.object.uuid])


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return "; ".join(_flatten(item) for item in detail)
    return str(detail)


def _node_inventory(nodes) -> list[dict[str, Any]]:
    """Each node the caller may launch onto, with its ports and port groups (and whether each
    already carries an interface): the bonding step's choices."""
    ports = Port.objects.annotate(in_use=baremetal.bound_vif_exists("port")).order_by("mac")
    groups = PortGroup.objects.annotate(
        in_use=baremetal.bound_vif_exists("port_group")).prefetch_related("ports").order_by(
        "name")
    inventory = []
    for node in nodes.prefetch_related(Prefetch("ports", queryset=ports),
                                       Prefetch("port_groups", queryset=groups)).order_by("name"):
        inventory.append({
            "uuid": str(node.uuid), "name": node.name,
            "ports": [{"uuid": str(p.uuid), "mac": p.mac,
                       "physical_network": p.physical_network or "",
                       "pxe_enabled": p.pxe_enabled, "in_use": p.in_use,
                       "port_group": str(p.port_group_id) if p.port_group_id else None}
                      for p in node.ports.all()],
            "port_groups": [{"uuid": str(g.uuid), "name": g.name, "mode": g.mode,
                             "properties": g.properties, "in_use": g.in_use,
                             "ports": [str(p.uuid) for p in
                                       baremetal.in_member_order(g.ports.all())]}
                            for g in node.port_groups.all()],
        })
    return inventory
