from django.utils.translation import gettext_lazy as _
from horizon import messages, tables

from multinic_dashboard.api import multinic
from multinic_dashboard.dashboards.admin.paging import OffsetPaginationMixin
from multinic_dashboard.dashboards.admin.vifs import tables as vif_tables

# The filter box's choices, each the name of the API's filter of that meaning.
FILTERS = tuple(choice[0] for choice in vif_tables.VIFFilter.filter_choices)


class IndexView(OffsetPaginationMixin, tables.DataTableView):
    """The VIF inventory: every NIC of every instance, filtered and paged by the API."""

    table_class = vif_tables.VIFsTable
    template_name = "horizon/common/_data_table_view.html"
    page_title = _("Interfaces")

    def get_data(self):
        info = self.get_server_filter_info(self.request) or {}
        value = (info.get("value") or "").strip()
        field = info.get("field")
        if field not in FILTERS:  # none yet, or a crafted POST: the box's first choice
            field = FILTERS[0]
        filters = {field: value} if value else {}
        try:
            page = multinic.vif_page(self.request, offset=self.requested_offset(),
                                     limit=self.page_size, **filters)
        except multinic.APIError as error:
            # The API's reason (e.g. an unusable MAC), not a 500 and not an empty silence.
            messages.error(self.request, error.message)
            return []
        return self.paged(page)
