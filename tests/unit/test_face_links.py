"""The links every face writes (multinic_api.faces): absolute on the host the client called,
in each service's shape. The faces' own tests pin their answers; these pin the helpers the
faces share, for each way of calling them."""

import pytest
from django.test import RequestFactory
from rest_framework.request import Request

from multinic_api import faces


@pytest.fixture(params=["django", "drf"])
def request_to(request, settings):
    """A GET of ``path`` on ``host``, as Django's request or DRF's (faces see both)."""

    settings.ALLOWED_HOSTS = ["cloud.example.org", "10.0.0.5", "other"]

    def make(path: str, host: str = "cloud.example.org"):
        made = RequestFactory().get(path, HTTP_HOST=host)
        return made if request.param == "django" else Request(made)

    return make


def test_resource_links_are_self_under_the_version_and_bookmark_without(request_to):
    links = faces.resource_links(request_to("/anything"), "/baremetal", "v1",
                                 "nodes", "n-1", "ports")
    assert links == [
        {"rel": "self", "href": "http://cloud.example.org/baremetal/v1/nodes/n-1/ports"},
        {"rel": "bookmark", "href": "http://cloud.example.org/baremetal/nodes/n-1/ports"}]


def test_links_follow_the_host_the_client_called(request_to):
    (link,) = faces.version_links(request_to("/compute/", host="10.0.0.5:8774"),
                                  "/compute/v2.1/")
    assert link == {"rel": "self", "href": "http://10.0.0.5:8774/compute/v2.1/"}
    assert faces.absolute_url(request_to("/", host="other:80"), "/identity/v3") == \
        "http://other:80/identity/v3"


def test_the_next_page_keeps_the_filters_and_replaces_marker_and_limit(request_to):
    request = request_to("/compute/v2.1/servers?name=web&marker=old&limit=9&x=%2F")
    (link,) = faces.next_page_links(request, "m-2", 3)
    assert link == {"rel": "next", "href": "http://cloud.example.org/compute/v2.1/servers"
                                           "?name=web&marker=m-2&limit=3&x=%2F"}
    assert faces.next_page_url(request_to("/baremetal/v1/ports"), marker="p-1", limit="2") == \
        "http://cloud.example.org/baremetal/v1/ports?marker=p-1&limit=2"


def test_a_keystone_collection_links_to_itself_only(request_to):
    assert faces.collection_links(request_to("/identity/v3/auth/projects?x=1")) == {
        "self": "http://cloud.example.org/identity/v3/auth/projects",
        "previous": None, "next": None}


def test_glance_links_are_paths_relative_to_the_endpoint():
    assert faces.endpoint_path("v2", "images", "i-1", "file") == "/v2/images/i-1/file"
    assert faces.endpoint_path("v2", "schemas", "images") == "/v2/schemas/images"
