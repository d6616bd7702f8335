from django.utils.translation import gettext_lazy as _
from horizon import messages, views

from multinic_dashboard import formatting
from multinic_dashboard.api import multinic
from multinic_dashboard.dashboards.admin import links
from multinic_dashboard.dashboards.admin.baremetal.inventory import NodeInventory
from multinic_dashboard.dashboards.admin.macs import forms as mac_forms


class IndexView(views.HorizonTemplateView):
    """Search a MAC: the VIF holding it, and/or the bare-metal port or port group."""

    template_name = "multinic_dashboard/admin/macs/index.html"
    page_title = _("MAC Addresses")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        searched = "mac" in self.request.GET
        form = mac_forms.MacSearchForm(self.request.GET if searched else None)
        context.update(form=form, searched=searched, owner=None, not_found=None)
        if searched and form.is_valid():
            try:
                owner = multinic.mac_holders(self.request, form.cleaned_data["mac"])
            except multinic.APIError as error:
                if error.not_found:  # nobody holds it: the API's sentence says so
                    context["not_found"] = error.message
                else:  # no usable MAC: the API's reason, on the field
                    form.add_error("mac", error.message)
                return context
            try:
                context.update(_display(self.request, owner))
            except multinic.APIError as error:  # the holder's node: the API's reason
                messages.error(self.request, error.message)
                return context
            context["owner"] = owner
        return context


def _display(request, owner) -> dict:
    """What the template shows of each holder, prepared here (links, NIC names, members,
    what a port or group carries, from its node's inventory)."""
    shown, inventories = {}, {}
    if owner.vif is not None:
        vif = multinic.APIObject(owner.vif)
        shown["vif_info"] = {
            "instance": links.instance_link(vif.instance_uuid, vif.instance_name),
            "project_name": vif.project_name, "project_id": vif.project_id,
            "network_name": vif.network_name, "network_id": vif.network_id,
            "nic": formatting.nic_name(vif) or "-",
            "addresses": ", ".join(formatting.addresses(vif)),
            "carrier": formatting.carrier_text(vif.carrier),
        }
    for kind in ("port", "port_group"):
        held = owner.get(kind)
        if held is None:
            continue
        node_uuid = str(held["node_uuid"])
        if node_uuid not in inventories:  # a port and a group of one node: one inventory
            inventories[node_uuid] = NodeInventory(request, node_uuid)
        inventory = inventories[node_uuid]
        node = links.node_link(inventory.uuid, inventory.node.name)
        if kind == "port":
            port = inventory.port(held["uuid"])
            shown["port_info"] = {"port": port, "node": node, "carries": port.carries,
                                  "group_name": port.group.name if port.group else ""}
        else:
            group = inventory.group(held["uuid"])
            shown["group_info"] = {
                "group": group, "node": node,
                "members": ", ".join(p.mac for p in group.members),
                "carries": group.carries, "made_by": group.made_by}
    return shown
