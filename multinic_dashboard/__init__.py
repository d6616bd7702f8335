"""The Horizon plugin: its panels, their API client and its ``enabled/`` files, the same in an
OpenStack dashboard and in the standalone site (``multinic_site``), which it never imports."""
