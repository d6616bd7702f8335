"""OpenStack-compatible faces (Identity v3 and Compute v2.1 subsets) for unchanged clients."""
