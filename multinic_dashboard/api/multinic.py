"""The panels' client of the multinic REST API (``/api/``), called with the signed-in user's
Keystone token.

The service is found in the user's Keystone catalog under ``SERVICE_TYPE`` (or at
``MULTINIC_API_URL``, when set); calls go through keystoneauth, the library every OpenStack
client uses. Functions take the request and return plain objects (``APIObject``), the way
manila-ui's ``api/manila.py`` does; what the API refuses is raised as ``APIError`` with its
message. Where the API is served by this very site, ``MULTINIC_API_ADAPTER`` names the
requests transport adapter that carries the calls instead of the network (the standalone
site's ``multinic_site.inprocess.InProcessAdapter``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn
from urllib.parse import quote

import requests
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from horizon import exceptions as horizon_exceptions
from horizon import messages
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from keystoneauth1.access import service_catalog
from keystoneauth1.exceptions import EndpointNotFound

#: The catalog type multinic's API is registered under in Keystone.
SERVICE_TYPE = "network-manager"
#: openstack_auth's permission for a user whose catalog has it (panels require it).
SERVICE_PERMISSION = f"openstack.services.{SERVICE_TYPE}"


class APIError(Exception):
    """The API refused a call: its HTTP status and the message it gave, for the user."""

    def __init__(self, status: int, message: str, code: str | None = None,
                 fields: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.fields = dict(fields or {})

    @property
    def not_found(self) -> bool:
        return self.status == 404


class APIObject:
    """One resource of an API answer: its keys as attributes (what Horizon's tables read)."""

    def __init__(self, data: Mapping[str, Any]):
        self._data = dict(data)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_data"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._data[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._data.get(name, default)

    def to_dict(self) -> dict[str, Any]:
        return dict(self._data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, APIObject) and other._data == self._data

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._data.get('id', self._data.get('uuid', ''))}>"


# --- the transport ---------------------------------------------------------------------------

def transport() -> requests.Session:
    """The HTTP session keystoneauth sends through: the network, or the adapter
    ``MULTINIC_API_ADAPTER`` names (mounted for every URL)."""
    session = requests.Session()
    adapter_path = getattr(settings, "MULTINIC_API_ADAPTER", "")
    if adapter_path:
        adapter = import_string(adapter_path)()
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    return session


def endpoint(request) -> str:
    """The API's base URL: ``MULTINIC_API_URL``, else the user's catalog entry of type
    ``network-manager`` (the session's region and endpoint interface, as Horizon's own
    ``url_for`` picks them)."""
    override = getattr(settings, "MULTINIC_API_URL", None)
    if override:
        return override.rstrip("/")
    catalog = service_catalog.ServiceCatalogV3(request.user.service_catalog or [])
    interface = getattr(settings, "OPENSTACK_ENDPOINT_TYPE", "public")
    region = getattr(request.user, "services_region", None)
    try:
        url = catalog.url_for(service_type=SERVICE_TYPE, interface=interface,
                              region_name=region)
    except EndpointNotFound:
        raise APIError(503, f"The cloud's catalog has no {SERVICE_TYPE} service: register "
                            "multinic's API in Keystone, or set MULTINIC_API_URL.") from None
    return url.rstrip("/")


def _session(request) -> ks_session.Session:
    cached = getattr(request, "_multinic_session", None)
    if cached is None:
        auth = token_endpoint.Token(endpoint(request), request.user.token.id)
        verify = not getattr(settings, "OPENSTACK_SSL_NO_VERIFY", False) and (
            getattr(settings, "OPENSTACK_SSL_CACERT", None) or True)
        cached = ks_session.Session(auth=auth, session=transport(), verify=verify)
        request._multinic_session = cached
    return cached


def _error(response: requests.Response) -> APIError:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return APIError(response.status_code, body["detail"], body.get("code"),
                        body.get("fields"))
    return APIError(response.status_code, f"The multinic API answered {response.status_code} "
                                          f"{response.reason or ''}".strip())


def _end_session(request) -> NoReturn:
    """The API no longer takes the session's token: revoked (a password changed, a
    membership removed, a sign-out elsewhere) or expired. The session ends here, and
    Horizon's middleware sends the user to the sign-in page (an AJAX call gets its 401 with
    the page to go to), instead of every panel showing the API's refusal while the user
    seems signed in."""
    from django.contrib.auth import logout  # needs the app registry, as Horizon's handler

    logout(request)
    messages.warning(request, _("Your session has ended. Please sign in again."))
    raise horizon_exceptions.NotAuthenticated(_("Your session has ended."))


def _segment(value: Any) -> str:
    """An id from a URL or a form as one path segment: "/" or ".." in it cannot reach
    another resource (dots too are escaped: URL libraries resolve a bare "..")."""
    return quote(str(value), safe="").replace(".", "%2E")


def call(request, method: str, path: str, *, params: Mapping[str, Any] | None = None,
         body: Any = None, raw: bool = False) -> Any:
    """``method`` on the API's ``path`` (relative to its base URL) as the signed-in user;
    the decoded JSON (or the response itself, ``raw``); ``APIError`` for any 4xx/5xx."""
    session = _session(request)
    url = f"{endpoint(request)}/{path.lstrip('/')}"
    kwargs: dict[str, Any] = {"raise_exc": False, "params": dict(params or {})}
    if body is not None:
        kwargs["json"] = body
    try:
        response = session.request(url, method, **kwargs)
    except ks_exceptions.ConnectionError as error:
        # Down, unreachable or too slow: the page says so instead of failing with a 500.
        raise APIError(503, f"The multinic API at {endpoint(request)} cannot be reached: "
                            f"{error}") from error
    if response.status_code == 401:
        _end_session(request)
    if response.status_code >= 400:
        raise _error(response)
    if raw:
        return response
    return response.json() if response.content else None


def _objects(items: Iterable[Mapping[str, Any]]) -> list[APIObject]:
    return [APIObject(item) for item in items]


def _all_pages(request, path: str, params: Mapping[str, Any] | None = None,
               page_size: int = 500) -> list[APIObject]:
    """Every item of a paged collection (``limit``/``offset``), in the API's order."""
    items: list[Mapping[str, Any]] = []
    offset = 0
    while True:
        page = call(request, "GET", path, params={**(params or {}), "limit": page_size,
                                                    "offset": offset})
        items.extend(page["results"])
        if not page.get("next"):
            return _objects(items)
        offset += page_size


# --- networks and subnets --------------------------------------------------------------------

def network_list(request, **filters: Any) -> list[APIObject]:
    """Networks the user may attach to (the project's own and shared ones; all for an
    admin), each with its subnets as objects (IPv4 first, then by CIDR)."""
    return _join_subnets(request, _all_pages(request, "networks/", filters))


def network_get(request, network_id: str) -> APIObject:
    network = APIObject(call(request, "GET", f"networks/{_segment(network_id)}/"))
    return _join_subnets(request, [network])[0]


def _keyset_page(request, path: str, params: Mapping[str, Any], *, marker: str | None,
                 reverse: bool, limit: int) -> tuple[list[APIObject], bool]:
    """One page of a list the API pages by marker (``marker``, ``page_reverse``): the
    ``limit`` rows after ``marker`` (``reverse``: before it), in the list's order, and whether
    there are more beyond them in that direction (asked for as one row more)."""
    query: dict[str, Any] = {**params, "limit": limit + 1}
    if marker:
        query["marker"] = marker
    if reverse:
        query["page_reverse"] = "true"
    items = call(request, "GET", path, params=query)["results"]
    more = len(items) > limit
    if more:
        items = items[1:] if reverse else items[:limit]
    return _objects(items), more


def _join_subnets(request, networks: list[APIObject]) -> list[APIObject]:
    """Each network with its subnets as ``subnet_objects`` (IPv4 first, then by CIDR): one
    call for all of them."""
    subnets: dict[str, list[APIObject]] = {}
    if networks:
        ids = ",".join(str(n.id) for n in networks)
        for subnet in _all_pages(request, "subnets/", {"network_id__in": ids}):
            subnets.setdefault(str(subnet.network_id), []).append(subnet)
    for network in networks:
        mine = sorted(subnets.get(str(network.id), []), key=lambda s: (s.ip_version, s.cidr))
        network._data["subnet_objects"] = mine
    return networks


def network_page(request, *, marker: str | None = None, reverse: bool = False,
                 limit: int = 20, **filters: Any) -> tuple[list[APIObject], bool]:
    """A page of the networks the user may attach to, by name, each with its subnets; and
    whether more lie beyond it (see ``_keyset_page``). ``filters``: the API's, e.g.
    ``name__icontains``, ``subnet``, ``physical_network__icontains``, ``project_name``
    (administrators)."""
    networks, more = _keyset_page(request, "networks/", filters, marker=marker,
                                  reverse=reverse, limit=limit)
    return _join_subnets(request, networks), more


def network_create(request, **fields: Any) -> APIObject:
    return APIObject(call(request, "POST", "networks/", body=fields))


def network_delete(request, network_id: str) -> None:
    call(request, "DELETE", f"networks/{_segment(network_id)}/")


def subnet_create(request, network_id: str, **fields: Any) -> APIObject:
    return APIObject(call(request, "POST", "subnets/",
                          body={"network_id": network_id, **fields}))


def subnet_delete(request, subnet_id: str) -> None:
    call(request, "DELETE", f"subnets/{_segment(subnet_id)}/")


# --- instances and their interfaces ----------------------------------------------------------

def _instance(data: Mapping[str, Any]) -> APIObject:
    """An instance, with its NICs (NIC order) also as objects: ``interface_objects``."""
    instance = APIObject(data)
    instance._data["interface_objects"] = _objects(data.get("interfaces") or [])
    return instance


def instance_page(request, *, marker: str | None = None, reverse: bool = False,
                  limit: int = 20, **filters: Any) -> tuple[list[APIObject], bool]:
    """A page of the user's instances (all, for an administrator), newest first; and whether
    more lie beyond it (see ``_keyset_page``). ``filters``: the API's, e.g.
    ``name__icontains``, ``address`` (an IP address or MAC in any notation)."""
    rows, more = _keyset_page(request, "instances/", filters, marker=marker, reverse=reverse,
                              limit=limit)
    return [_instance(row.to_dict()) for row in rows], more


def instance_get(request, instance_id: str) -> APIObject:
    return _instance(call(request, "GET", f"instances/{_segment(instance_id)}/"))


def instance_delete(request, instance_id: str) -> None:
    call(request, "DELETE", f"instances/{_segment(instance_id)}/")


def interface_attach(request, instance_id: str, **nic: Any) -> APIObject:
    """Attach a NIC after the last one (``network_id``, optional ``fixed_ips``, ``tag``);
    the new interface, with the API's ``warnings``."""
    return APIObject(call(request, "POST", f"instances/{_segment(instance_id)}/interfaces/",
                          body=nic))


def interface_detach(request, instance_id: str, vif_id: str) -> None:
    call(request, "DELETE",
         f"instances/{_segment(instance_id)}/interfaces/{_segment(vif_id)}/")


def attachable_networks(request) -> list[APIObject]:
    """The networks the user may attach an interface to (the project's own and shared ones;
    all for an administrator), by name, without their subnets."""
    return _all_pages(request, "networks/")


def network_info(request, instance_id: str, shape: str = "model") -> list[Any]:
    """What compute hands the virt driver: Nova's network model, or ``legacy`` pairs."""
    return call(request, "GET", f"instances/{_segment(instance_id)}/network_info/",
                params={"shape": shape})


def config_drive(request, instance_id: str) -> APIObject:
    """The config drive's volume ``label`` and ``files`` (path, size, content_type)."""
    listing = call(request, "GET", f"instances/{_segment(instance_id)}/config_drive/")
    return APIObject({**listing, "files": _objects(listing["files"])})


def config_drive_file(request, instance_id: str, path: str) -> bytes:
    response = call(request, "GET", f"instances/{_segment(instance_id)}/config_drive/"
                                    f"{quote(path)}", raw=True)
    return response.content


def config_drive_iso(request, instance_id: str) -> requests.Response:
    """The config drive as an ISO 9660 image: the API's response (content and headers)."""
    return call(request, "GET", f"instances/{_segment(instance_id)}/config_drive.iso",
                raw=True)


def domain_xml(request, instance_id: str) -> str:
    """The libvirt domain XML; the API refuses (409) an instance on bare metal."""
    return call(request, "GET", f"instances/{_segment(instance_id)}/domain.xml",
                raw=True).text



# --- the launch wizard: launch, preview, key pairs, nodes' ports ------------------------------

def launch_instance(request, body: Mapping[str, Any]) -> APIObject:
    """Launch as the REST API's launch body says (``POST /api/instances/``): the instance,
    with its interfaces and the launch's ``warnings``; with a ``count``, the ``instances``
    and their ``reservation_id`` (and the ``warnings``)."""
    return APIObject(call(request, "POST", "instances/", body=dict(body)))


def preview_launch(request, body: Any) -> dict[str, Any]:
    """The dry run of a launch body (``POST /api/instances/preview/``): what the guest would
    get (``network_info``, ``network_data``, ``meta_data``) and the warnings; nothing is kept.
    The body goes as it came (the wizard's script builds it): the API judges it."""
    return call(request, "POST", "instances/preview/", body=body)


def keypair_list(request) -> list[APIObject]:
    """The signed-in user's key pairs (``GET /api/keypairs/``, not paged), by name."""
    return sorted(_objects(call(request, "GET", "keypairs/")), key=lambda k: k.name)


def launchable_nodes(request) -> list[APIObject]:
    """The bare-metal nodes the user may launch onto (their project's; all for an admin), by
    name; each has its ``ports`` and ``port_groups`` as lists of UUIDs."""
    return sorted(_all_pages(request, "nodes/"), key=lambda n: (n.name, str(n.uuid)))


def node_carriers(request, node_id: str) -> dict[str, list[dict[str, Any]]]:
    """What can carry a NIC on one node: its ``ports`` and ``port_groups`` as the API has
    them (``vif_uuid`` set on those already carrying an interface, each port's
    ``port_group_uuid``, each group's member ``ports`` in member order). ``APIError`` 404 for a
    node the user may not launch onto."""
    return {"ports": [p.to_dict() for p in port_list(request, node_id)],
            "port_groups": [g.to_dict() for g in portgroup_list(request, node_id)]}


# --- admin: the VIF inventory and MAC holders --------------------------------------------------

class OffsetPage:
    """One page of a ``limit``/``offset`` collection: its items, and the offsets of the pages
    before and after it (None where there is none), for Horizon's Prev/Next links."""

    def __init__(self, items: list[APIObject], offset: int, limit: int, count: int):
        self.items, self.offset, self.limit, self.count = items, offset, limit, count

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.count else None

    @property
    def prev_offset(self) -> int | None:
        return max(self.offset - self.limit, 0) if self.offset > 0 else None


def _page(request, path: str, offset: int, limit: int,
          params: Mapping[str, Any] | None = None) -> OffsetPage:
    answer = call(request, "GET", path, params={**(params or {}), "limit": limit,
                                                  "offset": offset})
    return OffsetPage(_objects(answer["results"]), offset, limit, answer["count"])


def vif_page(request, *, offset: int = 0, limit: int = 20, **filters: Any) -> OffsetPage:
    """A page of every project's VIFs (admin), oldest instance first and NICs in NIC order,
    each with its instance's, project's and network's names and its bare-metal ``carrier``.
    Filters: ``project`` and ``network`` (a name in any case, or an ID), ``mac`` (any
    notation; an unusable one is an ``APIError`` with the reason), ``node``,
    ``instance_uuid``."""
    return _page(request, "vifs/", offset, limit, filters)


def vif_list(request, **filters: Any) -> list[APIObject]:
    """Every VIF matching ``filters`` (as ``vif_page``), all pages."""
    return _all_pages(request, "vifs/", filters)


def mac_holders(request, mac: str) -> APIObject:
    """Who holds ``mac`` (any notation): its normalised ``mac``, ``kind``, and the ``vif``
    (inventory shape), ``port`` and ``port_group`` holding it, as dicts or None. An
    ``APIError`` says why not: 400, no usable MAC; 404, nobody holds it."""
    return APIObject(call(request, "GET", f"macs/{_segment(mac)}/"))



# --- admin: bare metal (nodes, ports, port groups) ---------------------------------------------

def node_page(request, *, offset: int = 0, limit: int = 20) -> OffsetPage:
    """A page of bare-metal nodes by name, each with its ``project_name``, ``ports`` and
    ``port_groups`` (UUIDs) and the ``instances`` on it (``uuid``, ``name``)."""
    return _page(request, "nodes/", offset, limit)


def node_get(request, node_uuid: str) -> APIObject:
    return APIObject(call(request, "GET", f"nodes/{_segment(node_uuid)}/"))


def node_create(request, name: str, *, project_id: str | None = None,
                properties: Mapping[str, Any] | None = None) -> APIObject:
    """Enrol a node; ``project_id`` (an ID or a name) may launch onto it, None: only
    administrators."""
    body: dict[str, Any] = {"name": name, "project_id": project_id}
    if properties is not None:
        body["properties"] = dict(properties)
    return APIObject(call(request, "POST", "nodes/", body=body))


def node_update(request, node_uuid: str, **fields: Any) -> APIObject:
    """Change a node's ``name``, ``project_id`` or ``properties`` (only those given)."""
    return APIObject(call(request, "PATCH", f"nodes/{_segment(node_uuid)}/", body=fields))


def node_delete(request, node_uuid: str) -> None:
    """Delete a node with its ports and groups; refused (409) while instances run on it."""
    call(request, "DELETE", f"nodes/{_segment(node_uuid)}/")


def port_list(request, node: str) -> list[APIObject]:
    """The ports of a node (UUID or name), in creation order (the API's)."""
    return _all_pages(request, "ports/", {"node": node})


def port_create(request, node_uuid: str, mac: str, **fields: Any) -> APIObject:
    """Add a port: ``physical_network``, ``pxe_enabled``, ``port_group_uuid`` (or None),
    ``local_link_connection`` (``{}``, or ``switch_id`` and ``port_id`` with an optional
    ``switch_info``)."""
    return APIObject(call(request, "POST", "ports/",
                          body={"node_uuid": node_uuid, "mac": mac, **fields}))


def port_update(request, port_uuid: str, **fields: Any) -> APIObject:
    """Change a port (the fields of ``port_create``); not its MAC, network or group while it
    carries a VIF (409)."""
    return APIObject(call(request, "PATCH", f"ports/{_segment(port_uuid)}/", body=fields))


def port_delete(request, port_uuid: str) -> None:
    call(request, "DELETE", f"ports/{_segment(port_uuid)}/")


def portgroup_list(request, node: str) -> list[APIObject]:
    """The port groups of a node (UUID or name), in creation order (the API's); ``ports`` in
    member order."""
    return _all_pages(request, "portgroups/", {"node": node})


def portgroup_create(request, node_uuid: str, name: str, **fields: Any) -> APIObject:
    """Bond ports of a node: ``mac``, ``mode``, ``properties``,
    ``standalone_ports_supported``, ``ports`` (UUIDs). The answer's ``warnings`` say what
    works but is likely not meant (e.g. one member)."""
    return APIObject(call(request, "POST", "portgroups/",
                          body={"node_uuid": node_uuid, "name": name, **fields}))


def portgroup_update(request, group_uuid: str, **fields: Any) -> APIObject:
    return APIObject(call(request, "PATCH", f"portgroups/{_segment(group_uuid)}/", body=fields))


def portgroup_delete(request, group_uuid: str) -> None:
    """Delete a port group (its ports stay); refused (409) while it carries a VIF."""
    call(request, "DELETE", f"portgroups/{_segment(group_uuid)}/")



# --- bonding ---------------------------------------------------------------------------------

def bonding_modes(request) -> list[dict[str, Any]]:
    """The Linux bonding driver's modes and the options each allows (``/api/bonding/modes/``)."""
    return call(request, "GET", "bonding/modes/")
