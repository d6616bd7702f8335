from django.utils.translation import gettext_lazy as _
from horizon import messages, tables

from multinic_api.exceptions import InvalidInput
from multinic_dashboard.dashboards.admin.vifs import queries
from multinic_dashboard.dashboards.admin.vifs import tables as vif_tables
from multinic_dashboard.pagination import KeysetPaginationMixin


class IndexView(KeysetPaginationMixin, tables.DataTableView):
    """The VIF inventory: every NIC of every instance, filtered and paged on the server."""

    table_class = vif_tables.VIFsTable
    template_name = "horizon/common/_data_table_view.html"
    page_title = _("Interfaces")
    page_order = queries.PAGE_ORDER
    marker_field = "uuid"

    def get_data(self):
        vifs = queries.inventory()
        info = self.get_server_filter_info(self.request) or {}
        try:
            vifs = queries.filtered(vifs, info.get("field"), info.get("value"))
        except InvalidInput as error:
            messages.error(self.request, error.message)
            return []
        return self.paginate(vifs)
