"""Production mode's settings (README, "Production"): with DEBUG off the site refuses to start
without a strong key of its own.

The settings are read once, at import, from the environment: each case loads them in a
process of its own with exactly the variables it names."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from multinic_dashboard.production import DEMO_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = secrets.token_urlsafe(50)
PRODUCTION = {"MULTINIC_DEBUG": "0", "MULTINIC_SECRET_KEY": STRONG_KEY}
SHOW_SETTINGS = """\
import json
import multinic_dashboard.settings as s
print(json.dumps({name: getattr(s, name) for name in (
    "DEBUG", "SECRET_KEY")}))
"""


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """``python *args`` with the site's variables exactly ``env`` (none inherited)."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("MULTINIC_") and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**clean, **env},
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


def load_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    return run(["-c", SHOW_SETTINGS], env)


@pytest.mark.parametrize(("env", "message"), [
    ({"MULTINIC_DEBUG": "0"}, "MULTINIC_SECRET_KEY must be set when MULTINIC_DEBUG is off"),
    ({"MULTINIC_DEBUG": "0", "MULTINIC_SECRET_KEY": ""}, "MULTINIC_SECRET_KEY must be set"),
    ({"MULTINIC_DEBUG": "0", "MULTINIC_SECRET_KEY": DEMO_SECRET_KEY},
     "MULTINIC_SECRET_KEY is the public demo key"),
    ({"MULTINIC_DEBUG": "0", "MULTINIC_SECRET_KEY": "a" * 60},
     "MULTINIC_SECRET_KEY is too weak"),
    ({"MULTINIC_DEBUG": "0", "MULTINIC_SECRET_KEY": secrets.token_urlsafe(20)},
     "MULTINIC_SECRET_KEY is too weak"),
], ids=["no key", "empty key", "demo key", "one character", "short key"])
def test_production_refuses_to_load_with_an_unsafe_setting(env, message):
    result = load_settings(env)
    assert result.returncode != 0, result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: " + message), \
        result.stderr[-2000:]
    if env.get("MULTINIC_SECRET_KEY"):  # the message names the variable, never its value
        assert env["MULTINIC_SECRET_KEY"] not in result.stderr


def test_production_loads_with_a_key_of_its_own():
    result = load_settings(PRODUCTION)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == {"DEBUG": False, "SECRET_KEY": STRONG_KEY}


def test_make_run_loads_with_nothing_set():
    result = load_settings({})
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout)
    assert loaded["DEBUG"] is True and loaded["SECRET_KEY"] == DEMO_SECRET_KEY
