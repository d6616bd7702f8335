"""What the tests drive and share: servers (Keystone, a Horizon site), the browser, the
``cloud`` and bare-metal fixtures, the shared API test cases and checks."""

import sys

if "pytest" in sys.modules:
    # Under pytest, the shared checks' failed assertions show their operands, as a test
    # module's do; a server process that imports the harness (horizon_wsgi) needs no pytest.
    sys.modules["pytest"].register_assert_rewrite(
        f"{__name__}.api_cases", f"{__name__}.errors", f"{__name__}.helpers")
