"""multinic network manager: models, allocation services and (later) the REST API."""
