"""The standalone multinic site: one server for the API and the dashboard (``make run``, and
gunicorn in production).

Only this site uses this package. It holds the Django project (``settings``, ``urls``,
``wsgi``, and ``production``, what the settings take from the environment) and supplies what
an OpenStack dashboard would: the ``project`` and ``admin`` dashboards the plugin's panels go
into (``enabled/``, ``dashboards/``), sign-in through openstack_auth against the built-in
Identity, the project switch, and the in-process transport its pages call the API with. Its
page frame, sign-in page and styles are the project's top-level ``templates/`` and
``static/``. The plugin (``multinic_dashboard``) never imports it: it is the same here and in
an OpenStack dashboard.
"""
