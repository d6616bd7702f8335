from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View
from horizon import forms, messages, tabs, workflows
from horizon import tables as horizon_tables

from multinic_dashboard.api import multinic
from multinic_dashboard.dashboards.project.instances import forms as instance_forms
from multinic_dashboard.dashboards.project.instances import launch_request
from multinic_dashboard.dashboards.project.instances import tables as instance_tables
from multinic_dashboard.dashboards.project.instances import tabs as instance_tabs
from multinic_dashboard.dashboards.project.instances import workflows as instance_workflows
from multinic_dashboard.pagination import APIMarkerPaginationMixin
from multinic_dashboard.views import APIFailureMixin

PANEL = "horizon:project:multinic_instances"
INDEX_URL = f"{PANEL}:index"


class IndexView(APIMarkerPaginationMixin, horizon_tables.DataTableView):
    """The user's instances, newest first, a page at a time: the API pages by marker and
    filters (the filter box's field and value become the API's filter)."""

    table_class = instance_tables.InstancesTable
    template_name = "horizon/common/_data_table_view.html"
    page_title = _("Instances")

    def get_data(self):
        info = self.get_server_filter_info(self.request) or {}
        filters = {}
        value = (info.get("value") or "").strip()
        if value:
            filters[instance_tables.API_FILTERS.get(info.get("field"), "name__icontains")] = value
        try:
            return self.paginate(
                lambda **page: multinic.instance_page(self.request, **page, **filters))
        except multinic.APIError as error:
            # e.g. a search for something that is neither an IP address nor a MAC
            messages.error(self.request, _t("Unable to list instances: %s") % error.message)
            return []


def get_instance(request, instance_id: str):
    """One of the user's instances, else 404: another project's instance is
    indistinguishable from none."""
    try:
        return multinic.instance_get(request, instance_id)
    except multinic.APIError as error:
        if error.not_found:
            raise Http404(error.message) from error
        raise


class InstanceMixin(APIFailureMixin):
    """A view about one of the user's instances (404 when it is not theirs; the list with
    the API's message when the API fails)."""

    failure_url = INDEX_URL

    def get_instance(self):
        if not hasattr(self, "_instance"):
            self._instance = get_instance(self.request, self.kwargs["instance_id"])
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
        # Horizon's WorkflowView gives no page title, which an OpenStack dashboard's
        # breadcrumb shows ("None" without it).
        context["page_title"] = self.page_title
        # The script's URLs come from here (reversed, so under the dashboard's WEBROOT).
        context["preview_url"] = reverse(f"{PANEL}:launch_preview")
        context["bonding_modes_url"] = reverse(f"{PANEL}:launch_bonding_modes")
        context["carriers_url"] = reverse(f"{PANEL}:launch_carriers")
        return context


def api_answer(call: Callable[[], Any]) -> JsonResponse:
    """The API's answer to ``call`` for the wizard's script: its JSON, or its refusal (status
    and ``{"detail", "code", "fields"}``, the API's own error body) for the script to show;
    the client's 503, naming the endpoint, when the API cannot be reached at all."""
    try:
        return JsonResponse(call(), safe=False)
    except multinic.APIError as error:
        body = {"detail": error.message, "code": error.code or "error"}
        if error.fields:
            body["fields"] = error.fields
        return JsonResponse(body, status=error.status)


class LaunchPreviewView(View):
    """The wizard's live preview: its fields, as the launch would post them, read as the launch
    reads them (``launch_request``), and the launch body to the API's dry run
    (``POST /api/instances/preview/``). What the reading refuses is a 400 with the message the
    launch would show. A POST, so Django's CSRF check applies."""

    def post(self, request):
        try:
            fields = request.POST
        except RequestDataTooBig:  # else Django's HTML 400 page, which the script cannot show
            return JsonResponse({"detail": _t("The launch is larger than the %d bytes this "
                                              "site accepts.")
                                 % settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
                                 "code": "request_too_large"}, status=413)
        try:
            body = launch_request.from_fields(fields)
        except ValidationError as error:
            return JsonResponse({"detail": " ".join(error.messages), "code": "invalid"},
                                status=400)
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
    """A modal form about one of the user's instances; back to its detail page after."""

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
    """The config drive as an ISO image, for download: the API's bytes and file name."""

    def get(self, request, instance_id):
        try:
            image = multinic.config_drive_iso(request, instance_id)
        except multinic.APIError as error:
            if error.not_found:
                raise Http404(error.message) from error
            messages.error(request, _t("Unable to download the config drive: %s")
                           % error.message)
            return redirect(reverse("horizon:project:multinic_instances:detail",
                                    args=[instance_id]))
        response = HttpResponse(image.content, content_type="application/x-iso9660-image")
        response["Content-Disposition"] = image.headers.get(
            "Content-Disposition", f'attachment; filename="config-drive-{instance_id}.iso"')
        return response
