"""The Horizon plugin (its panels, their API client and ``enabled/`` files) and the standalone
site that serves it with the API (settings, URLs, sign-in)."""
