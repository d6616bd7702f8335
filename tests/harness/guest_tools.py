"""The independent consumers of our guest output, as tests reach them.

``tools/validators/setup.sh`` builds them (cached under ~/.cache/multinic-validators) and
installs the Debian tools; the session fixture runs it once, so ``pytest`` alone works as
well as ``make test``. Nothing here is skipped when a tool is missing: setup failing fails
the tests that need it.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SETUP = REPO / "tools" / "validators" / "setup.sh"


@dataclass(frozen=True)
class GuestTools:
    root: Path  # $V

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "V": str(self.root)}

    @property
    def cloud_init_path(self) -> Path:
        """Debian 12's cloud-init 22.4.2, unpacked (its python package tree)."""
        return self.root / "deb/root/usr/lib/python3/dist-packages"

    @property
    def python(self) -> Path:
        """A venv with cloud-init's dependencies (and jsonschema)."""
        return self.root / "ci-venv/bin/python"

    def validate_network_data(self, network_data: dict, workdir: Path
                              ) -> subprocess.CompletedProcess:
        """Every network_data.json validator (Ironic schema, cloud-init netplan and ENI
        renderers, netplan generate, glean for three distros) on one document."""
        path = workdir / "network_data.json"
        path.write_text(json.dumps(network_data, indent=1))
        return subprocess.run(
            ["bash", str(self.root / "bin/validate_network_data.sh"), str(path),
             str(workdir / "out")],
            env=self.env, capture_output=True, text=True, timeout=300)

    def run_cloud_init(self, code: str, *args: str) -> subprocess.CompletedProcess:
        """Run Python ``code`` with Debian's cloud-init importable."""
        return subprocess.run([str(self.python), "-c", code, *args],
                              env={**self.env, "PYTHONPATH": str(self.cloud_init_path)},
                              capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def guest_tools() -> GuestTools:
    root = Path(os.environ.get("V") or Path.home() / ".cache" / "multinic-validators")
    result = subprocess.run(["bash", str(SETUP)], env={**os.environ, "V": str(root)},
                            capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, f"{SETUP} failed:\n{result.stdout}\n{result.stderr}"
    return GuestTools(root)
