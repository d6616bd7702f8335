"""What the tests and the benchmarks both need to drive the real thing: a gunicorn server as
a process group (``support.gunicorn``), process groups stopped whole
(``support.processes``), and the checks that the database is whole after launches, races
and crashes (``support.invariants``).

A plain package at the top of the repository, beside ``tests/`` and ``bench/``, rather than
inside either: the benchmarks are scripts that must not import pytest or its fixtures, and
the tests should not import a benchmark to check their data. Nor does it live in
``multinic_api``: it starts servers and reads ``/proc``, which an installed site never
needs, and ``setup.cfg`` ships only the site's own packages, so it stays out of a
``pip install``. It needs Django configured (the tests' settings or the benchmark's) and
nothing else of either.
"""
