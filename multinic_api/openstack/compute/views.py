"""Nova-compatible compute subset under /compute/v2.1/ for python-novaclient, openstacksdk
and the openstack CLI: versions, flavors, os-networks, servers and os-interface."""

import secrets
import uuid

from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from multinic_api.api.authentication import KeystoneTokenAuthentication
from multinic_api.api.tenancy import HasProjectScope, request_scope
from multinic_api.exceptions import Conflict, InvalidInput, NotFound, PortNotFound
from multinic_api.faces import (
    JSONAnswers,
    next_page_links,
    no_such_resource_view,
    nova_fault,
    version_links,
)
from multinic_api.models import Instance, Network
from multinic_api.openstack.compute import microversions, presenters
from multinic_api.scope import Scope
from multinic_api.services import catalog, instances, keypairs, name_filter, text
from multinic_identity.authentication import BuiltinTokenAuthentication


class ComputeView(JSONAnswers, APIView):
    schema = None  # an OpenStack API, documented upstream; not part of /api/schema/
    authentication_classes = [KeystoneTokenAuthentication, BuiltinTokenAuthentication]
    permission_classes = [IsAuthenticated, HasProjectScope]

    def get_exception_handler(self):
        return nova_fault

    def initial(self, request, *args, **kwargs):
        self.version = microversions.MIN_VERSION
        super().initial(request, *args, **kwargs)
        self.version = microversions.requested(request.headers)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        version = microversions.text(getattr(self, "version", microversions.MIN_VERSION))
        response["OpenStack-API-Version"] = f"compute {version}"
        response["X-OpenStack-Nova-API-Version"] = version
        response["Vary"] = "OpenStack-API-Version, X-OpenStack-Nova-API-Version"
        return response

    @property
    def scope(self) -> Scope:
        return request_scope(self.request)

    def body(self, key: str) -> dict:
        data = self.request.data
        if not isinstance(data, dict) or not isinstance(data.get(key), dict):
            raise InvalidInput(f'Expecting a JSON object with a "{key}" object')
        return data[key]


# --- versions --------------------------------------------------------------------------------

def _version_body(request) -> dict:
    return {
        "id": "v2.1", "status": "CURRENT",
        "version": microversions.text(microversions.MAX_VERSION),
        "min_version": microversions.text(microversions.MIN_VERSION),
        "updated": "2013-07-23T11:33:21Z",
        "links": version_links(request, f"{presenters.FACE_PATH}/{presenters.VERSION}/"),
        "media-types": [{"base": "application/json",
                         "type": "application/vnd.openstack.compute+json;version=2.1"}],
    }


class VersionsView(ComputeView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"versions": [_version_body(request)]})


class VersionView(VersionsView):
    def get(self, request):
        return Response({"version": _version_body(request)})


# --- flavors, images, networks ---------------------------------------------------------------

class FlavorsView(ComputeView):
    detail = False

    def get(self, request):
        return Response({"flavors": [presenters.flavor(request, f, self.detail, self.version)
                                     for f in catalog.flavors()]})


class FlavorView(ComputeView):
    def get(self, request, flavor_id):
        item = catalog.find_flavor(flavor_id)
        if item is None:
            raise NotFound(f"Flavor {flavor_id} could not be found.")
        return Response({"flavor": presenters.flavor(request, item, True, self.version)})


class NetworksView(ComputeView):
    def get(self, request):
        networks = Network.objects.restrict(self.scope)
        return Response({"networks": [presenters.network(request, n)
                                      for n in networks.prefetch_related("subnets")]})


class NetworkView(ComputeView):
    def get(self, request, network_id):
        networks = Network.objects.restrict(self.scope)
        item = networks.filter(pk=_uuid_or_none(network_id)).first()
        if item is None:
            raise NotFound(f"Network {network_id} could not be found.")
        return Response({"network": presenters.network(request, item)})


# --- servers ---------------------------------------------------------------------------------

#: Nova's ``[api] max_limit``: no list answers more servers than this at once, whatever
#: ``limit`` asks; a full page links to the next (``servers_links``), as Nova's does.
MAX_LIMIT = 1000


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _limit(value: str | None) -> int:
    """A list's ``limit`` as Nova reads it: any non-negative integer, at most MAX_LIMIT (so
    one of 5,000 digits is MAX_LIMIT too, read without int(), which refuses over 4,300
    digits; it overflowed SQLite and PostgreSQL's bigint when passed on as it was)."""
    if value is None:
        return MAX_LIMIT
    if not (value.isascii() and value.isdigit()):  # int("²") fails; "²".isdigit()
        raise InvalidInput("limit must be a non-negative integer")
    digits = value.lstrip("0") or "0"
    return MAX_LIMIT if len(digits) > len(str(MAX_LIMIT)) else min(int(digits), MAX_LIMIT)


class ServerMixin:
    def get_server(self, server_id) -> Instance:
        found = (Instance.objects.restrict(self.scope).with_interfaces()
                 .filter(pk=_uuid_or_none(server_id)).first())
        if found is None:
            raise NotFound(f"Instance {server_id} could not be found.")
        return found


class ServersView(ComputeView):
    detail = False

    def get(self, request):
        servers = (Instance.objects.restrict(self.scope).with_interfaces()
                   .order_by("-created", "uuid"))
        visible = servers
        reservation_id = request.query_params.get("reservation_id")
        if reservation_id:
            servers = servers.filter(
                reservation_id=text.refuse_nul(reservation_id, "reservation_id"))
        name = request.query_params.get("name")
        if name:
            servers = name_filter.matching(servers, name)
        marker = request.query_params.get("marker")
        if marker:
            # Any visible server, as in Nova (and no regex run outside name_filter.evaluated).
            anchor = visible.filter(pk=_uuid_or_none(marker)).first()
            if anchor is None:
                raise InvalidInput(f"marker [{marker}] not found")
            servers = servers.filter(created__lte=anchor.created).exclude(pk=anchor.pk)
        limit = _limit(request.query_params.get("limit"))
        page = name_filter.evaluated(servers[:limit], lambda server: server) if name else list(
            servers[:limit])
        body = {"servers": [self._present(server) for server in page]}
        if limit and len(page) == limit:
            body["servers_links"] = next_page_links(request, str(page[-1].pk), limit)
        return Response(body)

    def _present(self, server: Instance) -> dict:
        if self.detail:
            return presenters.server(self.request, server, self.version,
                                     is_admin=self.scope.is_admin)
        return presenters.server_brief(self.request, server)

    def post(self, request):
        spec = self.body("server")
        name = spec.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("Invalid input for field/attribute name: a non-empty string is "
                               "required")
        image_ref = spec.get("imageRef", "")
        if image_ref and catalog.find_image(image_ref) is None:
            raise InvalidInput(f"Image {image_ref} could not be found.")
        flavor_ref = spec.get("flavorRef")
        if flavor_ref is None or catalog.find_flavor(flavor_ref) is None:
            raise InvalidInput(f"Flavor {flavor_ref} could not be found.")
        min_count, max_count = _counts(spec)
        return_reservation_id = _boolean("return_reservation_id",
                                         spec.get("return_reservation_id", False))
        key_name = spec.get("key_name")
        if key_name is not None and not isinstance(key_name, str):
            raise InvalidInput("Invalid input for field/attribute key_name: a string is required")
        public_key = keypairs.public_key_for(self.scope.user_id, key_name)
        config_drive = _boolean("config_drive", spec.get("config_drive", False))
        zone, node = _zone_and_node(spec.get("availability_zone"))
        if node is not None and max_count > 1:
            raise InvalidInput(f"availability_zone '{spec['availability_zone']}' forces one "
                               "bare-metal node, which carries one server: launch one server "
                               "per node")
        try:
            launched = self._launch(spec, name, zone, node, key_name, public_key, config_drive,
                                    image_ref, flavor_ref, min_count, max_count)
        except PortNotFound as error:
            raise InvalidInput(error.message) from None  # Nova's 400 here; an attach's 404
        if return_reservation_id:
            return Response({"reservation_id": launched.reservation_id}, status=202)
        # As Nova: with several servers, the answer is the first one.
        body = {**presenters.server_brief(request, launched.instances[0]),
                "OS-DCF:diskConfig": "MANUAL", "security_groups": [{"name": "default"}],
                "adminPass": secrets.token_urlsafe(9)}
        return Response({"server": body}, status=202)

    def _launch(self, spec, name, zone, node, key_name, public_key, config_drive, image_ref,
                flavor_ref, min_count, max_count) -> instances.Launched:
        user_data = spec.get("user_data")
        metadata = spec.get("metadata")
        return instances.launch_instances(
            project=self.scope.require_project(),
            name=name,
            nics=self._nics(spec.get("networks", "auto")),
            min_count=min_count,
            max_count=max_count,
            is_admin=self.scope.is_admin,
            availability_zone=zone,
            nodes=None if node is None else [node],
            metadata=metadata if metadata is not None else {},
            key_name=key_name,
            public_key=public_key,
            user_data=user_data,
            config_drive=config_drive,
            image_ref=catalog.find_image(image_ref)["id"] if image_ref else "",
            flavor_ref=catalog.find_flavor(flavor_ref)["id"],
        )

    def _nics(self, networks) -> list[instances.NicRequest]:
        if networks == "none":
            return []
        if networks == "auto":
            usable = list(Network.objects.restrict(self.scope)
                          .filter(subnets__isnull=False).distinct()[:2])
            if not usable:
                raise InvalidInput("No network is available for this project; create one or "
                                   "pass networks")
            if len(usable) > 1:
                raise Conflict("Multiple possible networks found, use a Network ID to be more "
                               "specific.")
            return [instances.NicRequest(usable[0].id)]
        if not isinstance(networks, list):
            raise InvalidInput('Invalid input for field/attribute networks: a list, "auto" '
                               'or "none" is required')
        instances.check_nic_count(len(networks))  # before each is read
        nics = []
        for item in networks:
            if not isinstance(item, dict):
                raise InvalidInput("Each requested network must be an object with a uuid")
            unknown = set(item) - {"uuid", "fixed_ip", "tag", "port"}
            if unknown:
                raise InvalidInput(f"Unknown network attribute(s): {', '.join(sorted(unknown))}")
            fixed_ip = item.get("fixed_ip")
            if fixed_ip is not None and not isinstance(fixed_ip, str):
                raise InvalidInput("fixed_ip must be a string")
            tag = item.get("tag")
            if tag is not None and not isinstance(tag, str):
                raise InvalidInput("tag must be a string")
            if item.get("port") is not None:
                if item.get("uuid") is not None:
                    raise InvalidInput("Request either a port or a network uuid for one NIC, "
                                       "not both: a port is on its own network")
                if fixed_ip is not None:
                    raise InvalidInput(f"Specified Fixed IP '{fixed_ip}' cannot be used with "
                                       f"port '{item['port']}': the two cannot be specified "
                                       "together.")
                nics.append(_port_nic(item["port"], tag))
                continue
            if not isinstance(item.get("uuid"), str):
                raise InvalidInput("Each requested network needs a uuid or a port")
            if _uuid_or_none(item["uuid"]) is None:
                raise InvalidInput(f"Bad networks format: network uuid is not in proper "
                                   f"format ({item['uuid']})")
            nics.append(instances.NicRequest(item["uuid"], fixed_ips=[fixed_ip] if fixed_ip
                                             else [], tag=tag))
        return nics


def _port_nic(port_id, tag: str | None) -> instances.NicRequest:
    """A NIC that is a port made beforehand (``{"port": ID}``, ``port_id``)."""
    if not isinstance(port_id, str) or _uuid_or_none(port_id) is None:
        raise InvalidInput(f"Bad networks format: port uuid is not in proper format "
                           f"({port_id!s:.80})")
    return instances.NicRequest(None, tag=tag, port_id=port_id)


class ServersDetailView(ServersView):
    """GET /servers/detail: the list, in detail. It is a list only: with ServersView's post
    inherited, a POST here launched a server, where Nova has no such operation."""

    detail = True
    http_method_names = ["get", "head", "options"]


# Nova's ``parameter_types.boolean``: JSON true/false, or exactly these strings.
_TRUE = frozenset({"True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes"})
_FALSE = frozenset({"False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"})


def _boolean(field: str, value) -> bool:
    """A boolean parameter as Nova reads one; anything else (an object, 2, "maybe") is
    Nova's 400, where it was taken as true."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in _TRUE | _FALSE:
        return value in _TRUE
    raise InvalidInput(f"Invalid input for field/attribute {field}. Value: {value!r:.80}. It is "
                       "not a boolean: true or false, or one of the strings 'true', 'false', "
                       "'1', '0', 'yes', 'no', 'on', 'off'")


def _counts(spec: dict) -> tuple[int, int]:
    """``min_count`` and ``max_count`` as Nova reads them: positive integers, as JSON numbers
    or strings of digits (its ``parameter_types.positive_integer``); ``max_count`` defaults
    to ``min_count``, which defaults to 1. The bounds are the service's to check."""
    counts: dict[str, int] = {}
    for field in ("min_count", "max_count"):
        if field not in spec:
            counts[field] = counts.get("min_count", 1)
            continue
        value = spec[field]
        if isinstance(value, str) and value.isascii() and value.isdigit():
            # No int() of thousands of digits (a ValueError, a 500): any number that long is
            # beyond every bound.
            value = int(value) if len(value) <= 9 else 10**9
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInput(f"Invalid input for field/attribute {field}. Value: {value!r:.80}. "
                               "It is not a positive integer")
        counts[field] = value
    if counts["min_count"] > counts["max_count"]:
        raise InvalidInput("min_count must be <= max_count")  # Nova's message
    return counts["min_count"], counts["max_count"]


def _zone_and_node(value) -> tuple[str, str | None]:
    """Nova's way to put a server on one bare-metal node: ``availability_zone`` written
    ``ZONE:HOST:NODE`` (or ``ZONE::NODE``). The host part names a compute service, which
    this service does not have, so only the node counts; the zone is kept as the zone."""
    if value is None or value == "":
        return "nova", None
    if not isinstance(value, str):
        raise InvalidInput("Invalid input for field/attribute availability_zone: a string is "
                           "required")
    if ":" not in value:
        return value, None
    parts = value.split(":")
    if len(parts) != 3 or not parts[2]:
        raise InvalidInput(f"availability_zone '{value}': name a bare-metal node as "
                           "ZONE::NODE (or ZONE:HOST:NODE)")
    return parts[0] or "nova", parts[2]


class ServerView(ServerMixin, ComputeView):
    def get(self, request, server_id):
        return Response({"server": presenters.server(request, self.get_server(server_id),
                                                     self.version,
                                                     is_admin=self.scope.is_admin)})

    def delete(self, request, server_id):
        instances.delete_instance(self.get_server(server_id))
        return Response(status=204)


class InterfacesView(ServerMixin, ComputeView):
    def get(self, request, server_id):
        server = self.get_server(server_id)
        return Response({"interfaceAttachments": [presenters.interface(v, self.version)
                                                  for v in server.interfaces]})

    def post(self, request, server_id):
        server = self.get_server(server_id)
        spec = self.body("interfaceAttachment")
        tag = spec.get("tag")
        if tag is not None and not isinstance(tag, str):
            raise InvalidInput("tag must be a string")
        if spec.get("port_id") is not None:
            if spec.get("net_id") is not None or spec.get("fixed_ips"):
                raise InvalidInput("Attach a port_id, or a net_id with fixed_ips, not both: "
                                   "a port comes with its network and addresses")
            nic = _port_nic(spec["port_id"], tag)
        else:
            nic = self._network_nic(spec, tag)
        vif = instances.attach_interface(server, nic, project=server.project,
                                         is_admin=self.scope.is_admin)
        return Response({"interfaceAttachment": presenters.interface(vif, self.version)})

    def _network_nic(self, spec: dict, tag: str | None) -> instances.NicRequest:
        if not isinstance(spec.get("net_id"), str) or _uuid_or_none(spec["net_id"]) is None:
            raise InvalidInput("net_id (a network uuid) or port_id is required")
        fixed_ips = spec.get("fixed_ips") or []
        if not isinstance(fixed_ips, list) or not all(
                isinstance(f, dict) and isinstance(f.get("ip_address"), str) for f in fixed_ips):
            raise InvalidInput('fixed_ips must be a list of {"ip_address": "..."}')
        return instances.NicRequest(spec["net_id"],
                                    fixed_ips=[f["ip_address"] for f in fixed_ips], tag=tag)


class InterfaceView(ServerMixin, ComputeView):
    def _vif(self, server, port_id):
        vif = next((v for v in server.interfaces if str(v.uuid) == str(port_id)), None)
        if vif is None:
            raise NotFound(f"Port {port_id} is not attached to instance {server.uuid}.")
        return vif

    def get(self, request, server_id, port_id):
        vif = self._vif(self.get_server(server_id), port_id)
        return Response({"interfaceAttachment": presenters.interface(vif, self.version)})

    def delete(self, request, server_id, port_id):
        server = self.get_server(server_id)
        instances.detach_interface(server, self._vif(server, port_id).uuid)
        return Response(status=202)


# --- key pairs -------------------------------------------------------------------------------

class KeypairsView(ComputeView):
    """``os-keypairs``: import, list. Keys are never generated here (Nova since 2.92)."""

    def get(self, request):
        items = [{"keypair": presenters.keypair(k, self.version, detail=False)}
                 for k in keypairs.user_keypairs(self.scope.user_id)]
        return Response({"keypairs": items})

    def post(self, request):
        spec = self.body("keypair")
        if not spec.get("public_key"):
            raise InvalidInput("public_key is required: import an existing public key "
                               "(this service does not generate key pairs)")
        keypair = keypairs.import_keypair(self.scope.user_id, spec.get("name"),
                                          spec.get("public_key"),
                                          spec.get("type", "ssh"))
        body = presenters.keypair(keypair, self.version, detail=False)
        body["user_id"] = self.scope.user_id
        return Response({"keypair": body}, status=201 if self.version >= (2, 2) else 200)


class KeypairView(ComputeView):
    def get(self, request, name):
        keypair = keypairs.get_keypair(self.scope.user_id, name)
        return Response({"keypair": presenters.keypair(keypair, self.version, detail=True)})

    def delete(self, request, name):
        keypairs.delete_keypair(self.scope.user_id, name)
        return Response(status=204 if self.version >= (2, 2) else 202)


#: Any other URL under /compute/: Nova's JSON itemNotFound.
NoSuchResourceView = no_such_resource_view(
    ComputeView, lambda path: f"The resource could not be found: there is no {path} in the "
                              "compute API.")
