"""multinic network manager: the models, the allocation services, the guest renderers and
the HTTP faces over them (the REST API, and the OpenStack compute, identity and image APIs)."""
