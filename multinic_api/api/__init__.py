"""The REST API under /api/: a thin DRF layer over ``multinic_api.services``."""
