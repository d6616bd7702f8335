import json
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from horizon import forms, tabs, workflows
from horizon import tables as horizon_tables
from keystoneauth1 import exceptions as ksa_exceptions

from multinic_api.guest.iso import VOLUME_LABEL
from multinic_api.services import guest
from multinic_dashboard.api import multinic
from multinic_dashboard.dashboards.project.instances import forms as instance_forms
from multinic_dashboard.dashboards.project.instances import queries
from multinic_dashboard.dashboards.project.instances import tables as instance_tables
from multinic_dashboard.dashboards.project.instances import tabs as instance_tabs
from multinic_dashboard.dashboards.project.instances import workflows as instance_workflows
from multinic_dashboard.pagination import KeysetPaginationMixin

PANEL = "horizon:project:multinic_instances"
INDEX_URL = f"{PANEL}:index"


class IndexView(KeysetPaginationMixin, horizon_tables.DataTableView):
    table_class = instance_tables.InstancesTable
    template_name = "horizon/common/_data_table_view.html"
    page_title = _("Instances")
    page_order = (("created", True), ("uuid", False))
    marker_field = "uuid"

    def get_data(self):
        instances = queries.visible(self.request)
        info = self.get_server_filter_info(self.request) or {}
        instances = queries.filtered(instances, info.get("field"), info.get("value"))
        return self.paginate(instances)


class InstanceMixin:
    """A view about one of the caller's instances (404 when it is not theirs)."""

    def get_instance(self):
        if not hasattr(self, "_instance"):
            self._instance = queries.visible_instance(self.request, self.kwargs["instance_id"])
        return self._instance


class DetailView(InstanceMixin, tabs.TabView):
    tab_group_class = instance_tabs.InstanceDetailTabs
    template_name = "horizon/common/_detail.html"
    page_title = "{{ instance.name }}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        instance = self.get_instance()
        table = instance_tables.InstancesTable(self.request)
        context.update(instance=instance, url=reverse(INDEX_URL),
                       actions=table.render_row_actions(instance))
        return context

    def get_tabs(self, request, *args, **kwargs):
        return self.tab_group_class(request, instance=self.get_instance(), **kwargs)


class LaunchView(workflows.WorkflowView):
    workflow_class = instance_workflows.LaunchInstance
    template_name = "multinic_dashboard/instances/launch/launch.html"
    page_title = _("Launch Instance")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The steps' actions ask the API for their choices; asked here, before the page is
        # rendered, what could not be loaded is in this page's messages, not the next one's.
        for step in context["workflow"].steps:
            step.action  # noqa: B018 (Step.action builds the action on first access)
        # The script's URLs come from here (reversed, so under the dashboard's WEBROOT).
        context["preview_url"] = reverse(f"{PANEL}:launch_preview")
        context["bonding_modes_url"] = reverse(f"{PANEL}:launch_bonding_modes")
        context["carriers_url"] = reverse(f"{PANEL}:launch_carriers")
        return context


def api_answer(call: Callable[[], Any]) -> JsonResponse:
    """The API's answer to ``call`` for the wizard's script: its JSON, or its refusal (status
    and ``{"detail", "code", "fields"}``, the API's own error body) for the script to show;
    503 with the cause when the API cannot be reached at all."""
    try:
        return JsonResponse(call(), safe=False)
    except multinic.APIError as error:
        body = {"detail": error.message, "code": error.code or "error"}
        if error.fields:
            body["fields"] = error.fields
        return JsonResponse(body, status=error.status)
    except ksa_exceptions.ClientException as error:
        message = _("The multinic API could not be reached: %s") % error
        return JsonResponse({"detail": str(message), "code": "unavailable"}, status=503)


class LaunchPreviewView(View):
    """The wizard's live preview: its launch body to the API's dry run
    (``POST /api/instances/preview/``). A POST, so Django's CSRF check applies."""

    def post(self, request):
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            return JsonResponse({"detail": str(_("The launch could not be read as JSON.")),
                                 "code": "invalid"}, status=400)
        return api_answer(lambda: multinic.preview_launch(request, body))


class LaunchBondingModesView(View):
    """The bonding modes and the options each allows: the wizard builds its bond form from
    them, and offers no mode list it could not load."""

    def get(self, request):
        return api_answer(lambda: multinic.bonding_modes(request))


class LaunchCarriersView(View):
    """``?node=<uuid>``: the node's ports and port groups, which may carry the NICs."""

    def get(self, request):
        node = request.GET.get("node", "")
        if not node:
            return JsonResponse({"detail": str(_("Say which node: ?node=<uuid>.")),
                                 "code": "invalid"}, status=400)
        return api_answer(lambda: multinic.node_carriers(request, node))


class InstanceFormView(InstanceMixin, forms.ModalFormView):
    """A modal form about one of the caller's instances; back to its detail page after."""

    template_name = "multinic_dashboard/common/modal_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_instance()}

    def get_success_url(self) -> str:
        return instance_forms.detail_url(self.get_instance())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["submit_url"] = self.request.path
        context["instance"] = self.get_instance()
        return context


class AttachInterfaceView(InstanceFormView):
    form_class = instance_forms.AttachInterface
    modal_id = "attach_interface_modal"
    modal_header = page_title = _("Attach Interface")
    submit_label = _("Attach Interface")
    cancel_url = reverse_lazy(INDEX_URL)


class DetachInterfaceView(InstanceFormView):
    form_class = instance_forms.DetachInterface
    modal_id = "detach_interface_modal"
    modal_header = page_title = _("Detach Interface")
    submit_label = _("Detach Interface")
    cancel_url = reverse_lazy(INDEX_URL)


class ConfigDriveIsoView(View):
    """The config drive as an ISO image (the same bytes as the API's), for download."""

    def get(self, request, instance_id):
        instance = queries.visible_instance(request, instance_id)
        response = HttpResponse(guest.guest_view(instance).config_drive_iso(),
                                content_type="application/x-iso9660-image")
        response["Content-Disposition"] = (
            f'attachment; filename="{VOLUME_LABEL}-{instance.uuid}.iso"')
        return response
