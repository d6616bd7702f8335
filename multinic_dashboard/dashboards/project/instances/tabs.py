"""The instance detail page: overview, interfaces, network_info, config drive, libvirt XML.

Everything shown is what the API renders for the instance (``/api/instances/<uuid>/``:
``network_info/``, ``config_drive/``, ``domain.xml``); the tabs only lay it out. A tab the
API cannot answer says why in its place, and the others still show.
"""

import json

from django.utils.translation import gettext_lazy as _
from horizon import tabs

from multinic_dashboard import formatting
from multinic_dashboard.api import multinic
from multinic_dashboard.dashboards.project.instances import tables as instance_tables

TEMPLATES = "multinic_dashboard/instances/detail"


class OverviewTab(tabs.Tab):
    name = _("Overview")
    slug = "overview"
    template_name = f"{TEMPLATES}/_overview.html"

    def get_context_data(self, request):
        instance = self.tab_group.kwargs["instance"]
        return {"instance": instance, "vifs": instance.interface_objects,
                "created": formatting.timestamp(instance.created)}


class InterfacesTab(tabs.TableTab):
    name = _("Interfaces")
    slug = "interfaces"
    table_classes = (instance_tables.InterfacesTable,)
    template_name = "horizon/common/_detail_table.html"
    preload = True

    def get_interfaces_data(self):
        return list(self.tab_group.kwargs["instance"].interface_objects)


class NetworkInfoTab(tabs.Tab):
    name = _("network_info")
    slug = "network_info"
    template_name = f"{TEMPLATES}/_network_info.html"

    def get_context_data(self, request):
        uuid = self.tab_group.kwargs["instance"].uuid
        try:
            model = multinic.network_info(request, uuid)
            legacy = multinic.network_info(request, uuid, shape="legacy")
        except multinic.APIError as error:
            return {"error": error.message}
        return {"model": json.dumps(model, indent=2), "legacy": json.dumps(legacy, indent=2)}


class ConfigDriveTab(tabs.Tab):
    """Every file of the drive (one API call each, as a guest would read them) and the ISO."""

    name = _("Config Drive")
    slug = "config_drive"
    template_name = f"{TEMPLATES}/_config_drive.html"

    def get_context_data(self, request):
        instance = self.tab_group.kwargs["instance"]
        try:
            drive = multinic.config_drive(request, instance.uuid)
            shown = [{"path": file.path, "size": file.size, "id": f"cd-file-{index}",
                      "text": _as_text(multinic.config_drive_file(request, instance.uuid,
                                                                  file.path))}
                     for index, file in enumerate(drive.files)]
        except multinic.APIError as error:
            return {"instance": instance, "error": error.message}
        return {"instance": instance, "files": shown, "label": drive.label}


class DomainXmlTab(tabs.Tab):
    name = _("libvirt XML")
    slug = "libvirt_xml"
    template_name = f"{TEMPLATES}/_libvirt_xml.html"

    def get_context_data(self, request):
        instance = self.tab_group.kwargs["instance"]
        try:
            return {"xml": multinic.domain_xml(request, instance.uuid), "error": None,
                    "bare_metal": False}
        except multinic.APIError as error:
            # bare metal (409): the node gets the config drive instead, no libvirt domain
            return {"xml": None, "error": error.message, "bare_metal": error.status == 409}


class InstanceDetailTabs(tabs.DetailTabsGroup):
    slug = "instance_details"
    tabs = (OverviewTab, InterfacesTab, NetworkInfoTab, ConfigDriveTab, DomainXmlTab)
    sticky = True


def _as_text(data: bytes) -> str:
    """JSON pretty-printed, other text as is; binary summarised (the drive holds none,
    but a file is not assumed to be text)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _("(%(count)d bytes of binary data)") % {"count": len(data)}
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text
