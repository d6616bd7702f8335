"""A Networking v2.0 subset in Neutron's shapes (networks, subnets, ports), over the same
services as every other face, so that ``openstack network``, ``subnet`` and ``port`` and
openstacksdk's ``conn.network`` work unchanged."""
