"""The parts of the end-to-end benchmark (``bench/end_to_end.py``, which runs them in
order), one job each: the API client, the fixture, the launches, the floor, the CPU meter,
the crash injector, the per-phase profile, and the report."""
