"""What the guest and the hypervisor are handed, rendered from plain data.

Nothing in this package touches the database or HTTP: ``records`` holds the plain input
(what :mod:`multinic_api.services.guest` reads out of the ORM, or what a test writes by
hand), and each other module is one renderer over it:

- ``network_model``: ``network_info`` in Nova's network-model shape, and the legacy
  ``[network, info]`` pairs of the Diablo multi-NIC blueprint;
- ``network_data``: the config drive's ``network_data.json``, bond links included;
- ``metadata``: ``meta_data.json``, vendor data, user data and EC2 metadata per version;
- ``iso``: the ISO 9660 ``config-2`` image.
"""
