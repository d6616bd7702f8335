from django.http import Http404
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, messages, tables

from multinic_dashboard.api import multinic
from multinic_dashboard.dashboards.project.networks import forms as network_forms
from multinic_dashboard.dashboards.project.networks import tables as network_tables
from multinic_dashboard.pagination import APIMarkerPaginationMixin
from multinic_dashboard.views import APIFailureMixin

INDEX_URL = "horizon:project:multinic_networks:index"


class IndexView(APIMarkerPaginationMixin, tables.DataTableView):
    """The networks the user may attach to, by name, a page at a time, with their subnets:
    the API pages by marker and filters (the filter box's field and value become the API's
    filter)."""

    table_class = network_tables.NetworksTable
    page_title = _("Networks")

    def get_data(self):
        info = self.get_server_filter_info(self.request) or {}
        filters = {}
        value = (info.get("value") or "").strip()
        field = network_tables.API_FILTERS.get(info.get("field"), "name__icontains")
        if value:
            filters[field] = value  # by project: the API refuses it to a tenant, and says so
        try:
            return self.paginate(
                lambda **page: multinic.network_page(self.request, **page, **filters))
        except multinic.APIError as error:
            messages.error(self.request, _t("Unable to list networks: %s") % error.message)
            return []


class CreateNetworkView(forms.ModalFormView):
    form_class = network_forms.CreateNetwork
    template_name = "multinic_dashboard/networks/create_network.html"
    modal_id = "create_network_modal"
    form_id = "create_network_form"
    page_title = _("Create Network")
    submit_label = _("Create Network")
    submit_url = reverse_lazy("horizon:project:multinic_networks:create")
    success_url = reverse_lazy(INDEX_URL)


class _OneNetworkMixin(APIFailureMixin):
    """A modal about one network the user may change (from the URL); another project's
    private network is a 404, a shared one it does not own a 403 (the API refuses the change
    too, with the same words)."""

    url_name: str
    failure_url = INDEX_URL

    @cached_property
    def network(self):
        network_id = self.kwargs["network_id"]
        try:
            network = multinic.network_get(self.request, network_id)
        except multinic.APIError as error:
            if error.not_found:
                raise Http404(error.message) from error
            raise
        if not network_tables.may_change(self.request, network):
            raise exceptions.NotAuthorized(
                _t("Only the network's project or an administrator may change its subnets."))
        return network

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "network": self.network}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["network"] = self.network
        context["submit_url"] = reverse(self.url_name, args=[self.network.id])
        return context


class CreateSubnetView(_OneNetworkMixin, forms.ModalFormView):
    form_class = network_forms.CreateSubnet
    template_name = "multinic_dashboard/networks/create_subnet.html"
    url_name = "horizon:project:multinic_networks:create_subnet"
    modal_id = "create_subnet_modal"
    form_id = "create_subnet_form"
    page_title = _("Create Subnet")
    submit_label = _("Create Subnet")
    success_url = reverse_lazy(INDEX_URL)


class DeleteSubnetView(_OneNetworkMixin, forms.ModalFormView):
    form_class = network_forms.DeleteSubnet
    template_name = "multinic_dashboard/networks/delete_subnet.html"
    url_name = "horizon:project:multinic_networks:delete_subnet"
    modal_id = "delete_subnet_modal"
    form_id = "delete_subnet_form"
    page_title = _("Delete Subnet")
    submit_label = _("Delete Subnet")
    success_url = reverse_lazy(INDEX_URL)
