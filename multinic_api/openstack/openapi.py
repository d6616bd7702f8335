"""Each OpenStack face's OpenAPI 3 document, served beside ``/api/schema/`` at
``/api/schema/<face>/``: YAML by default, JSON with ``?format=json`` (or by ``Accept``), as
drf-spectacular serves ours. The faces are hand-written views of APIs documented upstream,
so their documents are hand-written too (``<face>/openapi.yaml``), with exactly the
operations we implement; the fuzz tests run schemathesis over them."""

import copy
from functools import cache
from importlib import resources

import yaml
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

FACES = ("compute", "identity", "image", "network", "baremetal")


@cache
def _load(face: str) -> dict:
    text = resources.files(f"multinic_api.openstack.{face}").joinpath("openapi.yaml")
    return yaml.safe_load(text.read_text(encoding="utf-8"))


def document(face: str) -> dict:
    """The face's OpenAPI document, a fresh copy (callers may change theirs: schemathesis
    adds the links it infers)."""
    return copy.deepcopy(_load(face))


class FaceSchemaView(APIView):
    """GET /api/schema/<face>/: public, like /api/schema/."""

    schema = None  # a schema of another API, not an operation of this one
    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [OpenApiYamlRenderer, OpenApiYamlRenderer2, OpenApiJsonRenderer,
                        OpenApiJsonRenderer2]

    def get(self, request, face: str):
        return Response(document(face))
