from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from horizon import forms, tables

from multinic_api.services import bonding
from multinic_dashboard.dashboards.admin import links
from multinic_dashboard.dashboards.admin.baremetal import forms as baremetal_forms
from multinic_dashboard.dashboards.admin.baremetal import queries
from multinic_dashboard.dashboards.admin.baremetal import tables as baremetal_tables
from multinic_dashboard.pagination import KeysetPaginationMixin

INDEX_URL = "horizon:admin:multinic_baremetal:index"
DETAIL_URL = "horizon:admin:multinic_baremetal:detail"


class IndexView(KeysetPaginationMixin, tables.DataTableView):
    table_class = baremetal_tables.NodesTable
    template_name = "horizon/common/_data_table_view.html"
    page_title = _("Bare Metal")
    page_order = queries.NODE_ORDER
    marker_field = "uuid"

    def get_data(self):
        return self.paginate(queries.nodes())


class _NodeMixin:
    @cached_property
    def node(self):
        return queries.node(self.kwargs["node_id"])


class DetailView(_NodeMixin, tables.MultiTableView):
    """A node: its ports and its port groups, with the port-group actions."""

    table_classes = (baremetal_tables.PortsTable, baremetal_tables.PortGroupsTable)
    template_name = "multinic_dashboard/admin/baremetal/detail.html"

    def get_ports_data(self):
        return list(queries.ports(self.node))

    def get_port_groups_data(self):
        return list(queries.port_groups(self.node))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(node=self.node, page_title=_("Node %s") % self.node.name,
                       index_url=reverse(INDEX_URL),
                       instances=self.node.instances.order_by("name", "uuid"))
        return context


class PortGroupFormView(_NodeMixin, forms.ModalFormView):
    form_class = baremetal_forms.PortGroupForm
    template_name = "multinic_dashboard/admin/baremetal/port_group.html"
    form_id = "port_group_form"

    def get_group(self):
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "node": self.node, "group": self.get_group()}

    def get_success_url(self) -> str:
        return reverse(DETAIL_URL, args=[self.node.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        group = self.get_group()
        context.update(submit_url=self.request.path, node=self.node, group=group,
                       carried_vif=links.carried_vif(group), modes=bonding.describe())
        return context


class CreatePortGroupView(PortGroupFormView):
    modal_id = "create_port_group_modal"
    modal_header = page_title = _("Create Port Group")
    submit_label = _("Create Port Group")


class UpdatePortGroupView(PortGroupFormView):
    modal_id = "update_port_group_modal"
    modal_header = page_title = _("Edit Port Group")
    submit_label = _("Save Changes")

    @cached_property
    def group(self):
        return queries.port_group(self.node, self.kwargs["group_id"])

    def get_group(self):
        return self.group
