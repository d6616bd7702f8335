from django.utils.translation import gettext_lazy as _
from horizon import views

from multinic_api.services import baremetal, macs
from multinic_dashboard import formatting
from multinic_dashboard.dashboards.admin import links
from multinic_dashboard.dashboards.admin.macs import forms as mac_forms


class IndexView(views.HorizonTemplateView):
    """Search a MAC: the VIF holding it, and/or the bare-metal port or port group."""

    template_name = "multinic_dashboard/admin/macs/index.html"
    page_title = _("MAC Addresses")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        searched = "mac" in self.request.GET
        form = mac_forms.MacSearchForm(self.request.GET if searched else None)
        context.update(form=form, searched=searched, owner=None)
        if searched and form.is_valid():
            owner = macs.holders(form.cleaned_data["mac"])
            context["owner"] = owner
            context.update(_display(owner))
        return context


def _display(owner: macs.MacHolders) -> dict:
    """What the template shows of each holder, prepared here (links, NIC names, members)."""
    shown = {}
    if owner.vif is not None:
        vif = owner.vif
        shown["vif_info"] = {
            "instance": links.instance_link(vif.instance),
            "project": vif.instance.project,
            "network": vif.network,
            "nic": formatting.nic_name(vif),
            "addresses": ", ".join(formatting.addresses(vif)),
            "carrier": formatting.carrier(vif),
        }
    if owner.port is not None:
        shown["port_info"] = {"node": links.node_link(owner.port.node),
                              "carries": links.carried_through(owner.port)}
    if owner.port_group is not None:
        group = owner.port_group
        members = baremetal.in_member_order(group.ports.all())
        shown["group_info"] = {
            "node": links.node_link(group.node),
            "members": ", ".join(p.mac for p in members),
            "physical_network": baremetal.physical_network_of(members),
            "carries": links.carried(group),
            "made_by": links.instance_link(group.instance) if group.instance_id else "",
        }
    return shown
