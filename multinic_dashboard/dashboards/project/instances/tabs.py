"""The instance detail page: overview, interfaces, network_info, config drive, libvirt XML.

Everything shown is rendered by the same guest services the REST API serves
(``multinic_api.services.guest``); the tabs only lay it out.
"""

import json

from django.utils.translation import gettext_lazy as _
from horizon import tabs

from multinic_api.exceptions import MultinicError
from multinic_api.guest.iso import VOLUME_LABEL
from multinic_api.services import guest
from multinic_api.virt.libvirt import LibvirtDriver
from multinic_dashboard.dashboards.project.instances import tables as instance_tables

TEMPLATES = "multinic_dashboard/instances/detail"


def _guest_view(tab) -> guest.GuestView:
    """One GuestView per page, shared by the tabs that render from it."""
    group = tab.tab_group
    if not hasattr(group, "_guest_view"):
        group._guest_view = guest.guest_view(group.kwargs["instance"])
    return group._guest_view


class OverviewTab(tabs.Tab):
    name = _("Overview")
    slug = "overview"
    template_name = f"{TEMPLATES}/_overview.html"

    def get_context_data(self, request):
        instance = self.tab_group.kwargs["instance"]
        return {"instance": instance, "vifs": instance.vifs.all()}


class InterfacesTab(tabs.TableTab):
    name = _("Interfaces")
    slug = "interfaces"
    table_classes = (instance_tables.InterfacesTable,)
    template_name = "horizon/common/_detail_table.html"
    preload = True

    def get_interfaces_data(self):
        return list(self.tab_group.kwargs["instance"].vifs.all())


class NetworkInfoTab(tabs.Tab):
    name = _("network_info")
    slug = "network_info"
    template_name = f"{TEMPLATES}/_network_info.html"

    def get_context_data(self, request):
        view = _guest_view(self)
        return {"model": json.dumps(view.network_info, indent=2),
                "legacy": json.dumps(view.legacy_network_info, indent=2)}


class ConfigDriveTab(tabs.Tab):
    name = _("Config Drive")
    slug = "config_drive"
    template_name = f"{TEMPLATES}/_config_drive.html"

    def get_context_data(self, request):
        files = _guest_view(self).config_drive_files
        shown = [{"path": path, "size": len(data), "id": f"cd-file-{index}",
                  "text": _as_text(data)} for index, (path, data) in enumerate(files.items())]
        return {"instance": self.tab_group.kwargs["instance"], "files": shown,
                "label": VOLUME_LABEL}


class DomainXmlTab(tabs.Tab):
    name = _("libvirt XML")
    slug = "libvirt_xml"
    template_name = f"{TEMPLATES}/_libvirt_xml.html"

    def get_context_data(self, request):
        view = _guest_view(self)
        try:
            xml = LibvirtDriver().domain_xml(view.spawn_request()).decode()
            return {"xml": xml, "error": None}
        except MultinicError as error:  # bare metal: the node gets the config drive instead
            return {"xml": None, "error": error.message}


class InstanceDetailTabs(tabs.DetailTabsGroup):
    slug = "instance_details"
    tabs = (OverviewTab, InterfacesTab, NetworkInfoTab, ConfigDriveTab, DomainXmlTab)
    sticky = True


def _as_text(data: bytes) -> str:
    """JSON pretty-printed, other text as is; binary (never written today) summarised."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return f"({len(data)} bytes of binary data)"
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text
