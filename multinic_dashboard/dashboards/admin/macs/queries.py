"""Who holds a MAC: the lookup of GET /api/macs/<mac>/ (``MacOwnerView``), for the page."""

from dataclasses import dataclass

from multinic_api.models import VIF, Port, PortGroup
from multinic_api.services import instances


@dataclass(frozen=True)
class MacOwner:
    """What holds one (normalised) MAC. A bare-metal VIF has its carrier's MAC, so a VIF
    and a port or port group may both hold it; all are None when nobody does."""

    mac: str
    vif: VIF | None
    port: Port | None
    port_group: PortGroup | None

    @property
    def found(self) -> bool:
        return any(owner is not None for owner in (self.vif, self.port, self.port_group))

    @property
    def kind(self) -> str | None:
        """As the API's ``kind``: "vif", else "port", else "port_group"."""
        for kind in ("vif", "port", "port_group"):
            if getattr(self, kind) is not None:
                return kind
        return None


def owner_of(mac: str) -> MacOwner:
    """``mac`` must be normalised (``macs.normalize_mac``)."""
    vif = (instances.vifs_with_addresses().select_related("instance__project")
           .filter(mac=mac).first())
    port = (Port.objects.select_related("node", "vif__instance", "port_group__vif__instance")
            .filter(mac=mac).first())
    group = (PortGroup.objects.select_related("node", "vif__instance", "instance")
             .prefetch_related("ports").filter(mac=mac).first())
    return MacOwner(mac=mac, vif=vif, port=port, port_group=group)
