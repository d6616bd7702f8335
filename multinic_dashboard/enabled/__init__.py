"""The plugin's enabled files: copy (or link) them into an OpenStack dashboard's
``openstack_dashboard/local/enabled/`` to install the panels there. The standalone site loads
the same files (see ``multinic_dashboard.settings``)."""
