"""The image face answers errors as a Glance deployment answers a JSON client (they were the
REST API's ``{"detail", "code"}``), and openstacksdk reads them with its own parser;
python-glanceclient reads the 401 (keystonemiddleware's)."""

import pytest
import requests
from glanceclient import exc as glance_exc
from openstack import exceptions as sdk_exc
from rest_framework.test import APIClient

IMAGES = "/image/v2/images"


def as_requests(response) -> requests.Response:
    """A Django test response as the clients' parsers get one."""
    answer = requests.Response()
    answer.status_code = response.status_code
    answer.headers.update({key: value for key, value in response.items()})
    answer._content = response.content
    answer.reason = "client error"
    return answer


def sdk_error(response) -> sdk_exc.HttpException:
    with pytest.raises(sdk_exc.HttpException) as raised:
        sdk_exc.raise_from_response(as_requests(response))
    return raised.value


def test_401_is_keystonemiddlewares(db):
    response = APIClient().get(IMAGES, HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {
        "code": 401, "title": "Unauthorized",
        "message": "The request you have made requires authentication."}}
    assert response["WWW-Authenticate"] == 'Keystone uri="http://testserver/identity/v3"'
    assert "requires authentication" in sdk_error(response).details
    error = glance_exc.from_response(as_requests(response), response.content)
    assert isinstance(error, glance_exc.HTTPUnauthorized)
    assert "requires authentication" in error.details


@pytest.mark.parametrize(("method", "path", "status", "says"), [
    ("get", f"{IMAGES}/nope", 404, "No image found with ID nope"),
    ("post", IMAGES, 405, "The method POST is not allowed for this resource."),
    ("delete", f"{IMAGES}/nope", 405, "The method DELETE is not allowed for this resource."),
    ("get", "/image/v2/schemas/image", 404,
     "The resource could not be found: there is no /image/v2/schemas/image"),
    ("post", "/image/", 405, "The method POST is not allowed for this resource."),
])
@pytest.mark.parametrize("accept", ["application/json", "*/*", None])
def test_errors_are_webobs_json_as_glance_raises_them(nova, method, path, status, says, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    answer = getattr(nova, method)(path, **headers)
    assert answer.status_code == status
    assert answer["Content-Type"] == "application/json"
    body = answer.json()
    # WebOb's flat object: "code" is the status line, the message ends in its <br /><br />
    assert set(body) == {"message", "code", "title"}
    assert body["code"].startswith(f"{status} ") and body["title"] == body["code"][4:]
    assert body["message"].startswith(says)
    assert says in sdk_error(answer).details


def test_the_catch_all_needs_no_token(db):
    answer = APIClient().get("/image/v2/nothing/here", HTTP_ACCEPT="application/json")
    assert answer.status_code == 404 and "there is no" in answer.json()["message"]
