"""How the panels reach multinic: ``multinic`` is the client of its REST API (the shape of
manila-ui's ``api/manila.py``); ``inprocess`` carries its calls when the API is served by
this very Django site."""
