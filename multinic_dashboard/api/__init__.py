"""How the panels reach multinic: ``multinic`` is the client of its REST API (the shape of
manila-ui's ``api/manila.py``)."""
