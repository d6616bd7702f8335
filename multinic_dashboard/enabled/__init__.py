"""The plugin's enabled files: copy (or link) them into an OpenStack dashboard's
``openstack_dashboard/local/enabled/`` to install the panels there. The standalone site loads
the same files (see ``multinic_site.settings``).

Enabled files cannot add settings, and the plugin needs its own (``MULTINIC_MAC_PREFIX``,
``MULTINIC_MAX_NICS_PER_LAUNCH``, ...; all of them, with their defaults, are in
``multinic_api.defaults``). So copy ``multinic_dashboard/local_settings.d/_6000_multinic.py``
into ``openstack_dashboard/local/local_settings.d/`` as well: it fills in every ``MULTINIC_*``
setting that ``local_settings.py`` has not set. (Or put ``from multinic_api.defaults import *``
in ``local_settings.py`` itself, above any ``MULTINIC_*`` you change there.) Without either, the
dashboard's URLs fail to load with an AttributeError naming the first missing setting."""
