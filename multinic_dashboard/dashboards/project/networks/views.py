from django.http import Http404
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, tables

from multinic_api.exceptions import Forbidden, NotFound
from multinic_api.models import Network
from multinic_dashboard.api import caller as api
from multinic_dashboard.dashboards.project.networks import forms as network_forms
from multinic_dashboard.dashboards.project.networks import queries
from multinic_dashboard.dashboards.project.networks import tables as network_tables
from multinic_dashboard.pagination import KeysetPaginationMixin

INDEX_URL = "horizon:project:multinic_networks:index"


class IndexView(KeysetPaginationMixin, tables.DataTableView):
    table_class = network_tables.NetworksTable
    page_title = _("Networks")
    page_order = (("name", False), ("id", False))

    def get_data(self):
        networks = queries.usable(self.request)
        info = self.get_server_filter_info(self.request)
        if info is not None:
            networks = queries.filtered(networks, info["field"], info["value"],
                                        api.caller(self.request).is_admin)
        return self.paginate(networks)


class CreateNetworkView(forms.ModalFormView):
    form_class = network_forms.CreateNetwork
    template_name = "multinic_dashboard/networks/create_network.html"
    modal_id = "create_network_modal"
    form_id = "create_network_form"
    page_title = _("Create Network")
    submit_label = _("Create Network")
    submit_url = reverse_lazy("horizon:project:multinic_networks:create")
    success_url = reverse_lazy(INDEX_URL)


class _OneNetworkMixin:
    """A modal about one network the caller may change (from the URL); another project's
    private network is a 404, a shared one it does not own a 403."""

    url_name: str

    @cached_property
    def network(self) -> Network:
        network_id = self.kwargs["network_id"]
        try:
            return queries.changeable_network(self.request, network_id)
        except NotFound as error:
            raise Http404(error.message) from error
        except Forbidden as error:
            raise exceptions.NotAuthorized(error.message) from error

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "network": self.network}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["network"] = self.network
        context["submit_url"] = reverse(self.url_name, args=[self.network.pk])
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
