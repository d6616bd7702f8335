"""The standalone multinic site: the horizon framework with Django's own users (no Keystone).

Only this site uses this package. It supplies what an OpenStack dashboard would: the
``project`` and ``admin`` dashboards the plugin's panels go into, the page frame
(``base.html``), sign-in, and the few patches horizon needs to run without Keystone. The
plugin itself (``multinic_dashboard.enabled`` and ``multinic_dashboard.dashboards``) is the
same in both.
"""
