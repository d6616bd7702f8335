"""One node as the bare-metal pages show it: the node, its ports and port groups, and the
VIFs they carry, from four API calls whatever the node's size, joined here for display."""

from __future__ import annotations

import uuid

from django.http import Http404
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _

from multinic_dashboard.api import multinic
from multinic_dashboard.dashboards.admin import links


def checked_uuid(value: str, what: str) -> str:
    """``value`` as a UUID, else 404: ids from URLs and table POSTs go into API paths."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise Http404(_("%(what)s %(id)s not found.") % {"what": what, "id": value}) from None


class NodeInventory:
    """``node``; ``ports`` (API objects, each given its ``group``, ``carried_vif``,
    ``carries`` and ``busy``) and ``groups`` (given ``members``, ``carried_vif``, ``carries``
    and ``made_by``) in the API's order, creation order; ``vifs`` by UUID."""

    def __init__(self, request, node_uuid: str):
        self.request = request
        node_uuid = checked_uuid(node_uuid, _("Node"))
        try:
            self.node = multinic.node_get(request, node_uuid)
        except multinic.APIError as error:
            if error.not_found:
                raise Http404(error.message) from error
            raise
        self.ports = multinic.port_list(request, node_uuid)
        self.groups = multinic.portgroup_list(request, node_uuid)
        self.vifs = {str(v.uuid): v for v in multinic.vif_list(request, node=node_uuid)}
        self.instance_names = {str(i["uuid"]): i["name"] for i in self.node.instances}
        ports_by_id = {str(p.uuid): p for p in self.ports}
        groups_by_id = {str(g.uuid): g for g in self.groups}
        for group in self.groups:
            group._data.update(
                members=[ports_by_id[str(p)] for p in group.ports if str(p) in ports_by_id],
                carried_vif=self.vifs.get(str(group.vif_uuid)) if group.vif_uuid else None)
            group._data.update(carries=links.carried(group.carried_vif),
                               made_by=self._made_by(group))
        for port in self.ports:
            group = groups_by_id.get(str(port.port_group_uuid)) if port.port_group_uuid else None
            own = self.vifs.get(str(port.vif_uuid)) if port.vif_uuid else None
            port._data.update(group=group, carried_vif=own)
            # Busy: it carries a VIF, its own or its group's; then the API refuses to delete
            # it, or to change its MAC, network or group.
            port._data.update(carries=self._carried_through(port),
                              busy=own is not None or (group is not None
                                                       and group.carried_vif is not None))

    @cached_property
    def uuid(self) -> str:
        return str(self.node.uuid)

    def port(self, port_uuid: str):
        """One of the node's ports, else 404."""
        return self._one(self.ports, port_uuid, _("Port"))

    def group(self, group_uuid: str):
        """One of the node's port groups, else 404 (another node's is not this node's)."""
        return self._one(self.groups, group_uuid, _("Port group"))

    def _one(self, items, item_uuid: str, what: str):
        found = next((i for i in items if str(i.uuid) == str(item_uuid)), None)
        if found is None:
            raise Http404(_("%(what)s %(id)s not found on node %(node)s.")
                          % {"what": what, "id": item_uuid, "node": self.node.name})
        return found

    def _made_by(self, group) -> str:
        """The launch that made the group, as a link, or ''."""
        if not group.instance_uuid:
            return ""
        return links.instance_link(group.instance_uuid,
                                   self.instance_names.get(str(group.instance_uuid)))

    def _carried_through(self, port) -> str:
        """What a port carries: its own VIF, or its group's ('... (through bond0)'), else ''."""
        if port.carried_vif is not None or port.group is None:
            return links.carried(port.carried_vif)
        through = port.group.carries
        if not through:
            return ""
        return format_html(_("{carried} (through {group})"), carried=through,
                           group=port.group.name)
