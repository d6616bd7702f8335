"""What every OpenStack face answers in: JSON, whatever the request's ``Accept`` says.

Nova, Keystone and Glance speak JSON only and answer it to any ``Accept`` (Nova falls back
to JSON for a type it cannot serve). DRF's defaults would instead answer ``Accept:
text/html`` with its browsable HTML page, and an ``Accept`` it cannot serve with a 406, on
APIs whose clients parse JSON."""

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer


class JSONOnly(DefaultContentNegotiation):
    """Request bodies are parsed by their content type, as DRF does; answers are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class OpenStackRendering:
    """Mixed into each face's base view."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly
