"""Domain rules as plain Python: no HTTP here. The API and the dashboard call these."""
