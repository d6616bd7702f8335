from django.http import Http404
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from horizon import forms, messages, tables

from multinic_dashboard.api import multinic
from multinic_dashboard.dashboards.admin.baremetal import forms as baremetal_forms
from multinic_dashboard.dashboards.admin.baremetal import tables as baremetal_tables
from multinic_dashboard.dashboards.admin.baremetal.inventory import NodeInventory, checked_uuid
from multinic_dashboard.dashboards.admin.paging import OffsetPaginationMixin
from multinic_dashboard.views import APIFailureMixin

INDEX_URL = "horizon:admin:multinic_baremetal:index"
DETAIL_URL = "horizon:admin:multinic_baremetal:detail"


class IndexView(OffsetPaginationMixin, tables.DataTableView):
    table_class = baremetal_tables.NodesTable
    template_name = "horizon/common/_data_table_view.html"
    page_title = _("Bare Metal")

    def get_data(self):
        try:
            page = multinic.node_page(self.request, offset=self.requested_offset(),
                                      limit=self.page_size)
        except multinic.APIError as error:
            messages.error(self.request, error.message)
            return []
        return self.paged(page)


class _APIFailureMixin(APIFailureMixin):
    failure_url = INDEX_URL  # the node list


class _NodeMixin(_APIFailureMixin):
    @cached_property
    def inventory(self) -> NodeInventory:
        """The node of the URL with its ports, groups and VIFs; 404 for no such node."""
        return NodeInventory(self.request, self.kwargs["node_id"])

    @property
    def node(self):
        return self.inventory.node


class DetailView(_NodeMixin, tables.MultiTableView):
    """A node: its ports and its port groups, with their actions."""

    table_classes = (baremetal_tables.PortsTable, baremetal_tables.PortGroupsTable)
    template_name = "multinic_dashboard/admin/baremetal/detail.html"

    def get_ports_data(self):
        return self.inventory.ports

    def get_port_groups_data(self):
        return self.inventory.groups

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(node=self.node, page_title=_("Node %s") % self.node.name,
                       index_url=reverse(INDEX_URL),
                       edit_url=reverse("horizon:admin:multinic_baremetal:update_node",
                                        args=[self.node.uuid]))
        return context


# --- nodes ----------------------------------------------------------------------------------

class NodeFormView(_APIFailureMixin, forms.ModalFormView):
    form_class = baremetal_forms.NodeForm
    template_name = "multinic_dashboard/common/modal_form.html"
    form_id = "node_form"
    success_url = reverse_lazy(INDEX_URL)

    def get_node(self):
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "node": self.get_node()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(submit_url=self.request.path, help_text=_(
            "A bare-metal node: instances launched onto it are carried by its ports and "
            "port groups. Its properties describe the machine (Ironic's cpus, memory_mb, "
            "local_gb, cpu_arch and any others)."))
        return context


class CreateNodeView(NodeFormView):
    modal_id = "create_node_modal"
    modal_header = page_title = _("Enrol Node")
    submit_label = _("Enrol Node")


class UpdateNodeView(NodeFormView):
    modal_id = "update_node_modal"
    modal_header = page_title = _("Edit Node")
    submit_label = _("Save Changes")

    @cached_property
    def node(self):
        node_uuid = checked_uuid(self.kwargs["node_id"], _("Node"))
        try:
            return multinic.node_get(self.request, node_uuid)
        except multinic.APIError as error:
            if error.not_found:
                raise Http404(error.message) from error
            raise

    def get_node(self):
        return self.node

    def get_success_url(self) -> str:
        return reverse(DETAIL_URL, args=[self.node.uuid])


# --- ports ----------------------------------------------------------------------------------

class PortFormView(_NodeMixin, forms.ModalFormView):
    form_class = baremetal_forms.PortForm
    template_name = "multinic_dashboard/admin/baremetal/port.html"
    form_id = "port_form"

    def get_port(self):
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "inventory": self.inventory,
                "port": self.get_port()}

    def get_success_url(self) -> str:
        return reverse(DETAIL_URL, args=[self.inventory.uuid])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(submit_url=self.request.path, node=self.node, port=self.get_port())
        return context


class CreatePortView(PortFormView):
    modal_id = "create_port_modal"
    modal_header = page_title = _("Create Port")
    submit_label = _("Create Port")


class UpdatePortView(PortFormView):
    modal_id = "update_port_modal"
    modal_header = page_title = _("Edit Port")
    submit_label = _("Save Changes")

    def get_port(self):
        return self.inventory.port(self.kwargs["port_id"])


# --- port groups ----------------------------------------------------------------------------

class PortGroupFormView(_NodeMixin, forms.ModalFormView):
    form_class = baremetal_forms.PortGroupForm
    template_name = "multinic_dashboard/admin/baremetal/port_group.html"
    form_id = "port_group_form"

    def get_group(self):
        return None

    @cached_property
    def modes(self) -> list[dict]:
        return multinic.bonding_modes(self.request)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "inventory": self.inventory,
                "group": self.get_group(), "modes": self.modes}

    def get_success_url(self) -> str:
        return reverse(DETAIL_URL, args=[self.inventory.uuid])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        group = self.get_group()
        context.update(submit_url=self.request.path, node=self.node, group=group,
                       carried_vif=group.carried_vif if group is not None else None,
                       modes=self.modes)
        return context


class CreatePortGroupView(PortGroupFormView):
    modal_id = "create_port_group_modal"
    modal_header = page_title = _("Create Port Group")
    submit_label = _("Create Port Group")


class UpdatePortGroupView(PortGroupFormView):
    modal_id = "update_port_group_modal"
    modal_header = page_title = _("Edit Port Group")
    submit_label = _("Save Changes")

    def get_group(self):
        return self.inventory.group(self.kwargs["group_id"])
