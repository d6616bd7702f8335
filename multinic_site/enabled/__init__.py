"""The standalone site's dashboards, as ``enabled`` files (an OpenStack dashboard has its own)."""
