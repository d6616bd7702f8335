"""The benchmark's bulk fill must leave subnets exactly as the allocator would, or its
figures would measure something else. Sizes here are tiny; timings are not asserted."""

import json

import pytest

from bench.allocation import Case, print_table, run
from tests.helpers import assert_subnet_consistent


@pytest.mark.django_db
def test_bench_fill_is_consistent_and_the_table_prints(capsys):
    cases = [Case("10.0.0.0/24", 0), Case("10.1.0.0/16", 500), Case("11.0.0.0/8", 1_234),
             Case("2001:db8::/64", 77, "dhcpv6-stateful")]
    results = run(cases, allocations=3)
    for row in results:
        assert_subnet_consistent(row["subnet"])
    # Each subnet holds its fill plus 5 warm-up and 3 timed allocations.
    assert [row["subnet"].fixed_ips.count() for row in results] == [8, 508, 1_242, 85]
    assert results[2]["free_ranges"] > 1_234 // 10  # the holes left in the fill
    assert results[0]["ratio"] == 1.0
    print_table(results, 3)
    out = capsys.readouterr().out
    assert "IPv4 /8, 1,234 taken" in out and "ratio" in out


def test_render_bench_times_real_renderings_and_prints_the_table(capsys):
    from bench.render import operations, print_table, run
    from multinic_api.guest.iso import read_iso

    ops = operations()
    network_data, meta_data = (json.loads(doc) for doc in
                               ops["network_data.json + meta_data.json"]())
    assert len(network_data["links"]) == 8 + 4  # eight VIFs, two bonds of two ports
    assert [link["type"] for link in network_data["links"][:3]] == ["bond", "bond", "bridge"]
    assert meta_data["name"] == "bench"
    drive = read_iso(ops["config drive ISO"]())
    assert json.loads(drive["openstack/latest/network_data.json"]) == network_data
    rows = run(calls=3)
    assert [row["operation"] for row in rows] == list(ops)
    print_table(rows, 3)
    assert "config drive ISO" in capsys.readouterr().out
