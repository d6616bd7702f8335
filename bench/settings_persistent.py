"""The site's settings with persistent database connections, for end_to_end.py's what-if
run: ``CONN_MAX_AGE`` is 0 in ``multinic_dashboard.settings`` (a new PostgreSQL connection,
hence a new backend process, for every request); here each worker keeps its connection."""

import copy

from multinic_dashboard.settings import *  # noqa: F403
from multinic_dashboard.settings import DATABASES as _SITE_DATABASES

DATABASES = copy.deepcopy(_SITE_DATABASES)  # the site's own dict stays as it is
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
