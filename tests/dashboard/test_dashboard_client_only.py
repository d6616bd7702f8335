"""The project panels are clients of the API: inside an operator's OpenStack dashboard there is
no multinic database and none of ``multinic_api`` to import. Every module of the Instances and
Networks panels, and the display helpers they use, is read for imports (any, at any depth:
a function-level import counts too)."""

import ast
import re
from pathlib import Path

import pytest

import multinic_dashboard

ROOT = Path(multinic_dashboard.__file__).resolve().parent
PANELS = [ROOT / "dashboards" / "project" / name for name in ("instances", "networks")]
HELPERS = [ROOT / "formatting.py", ROOT / "pagination.py", ROOT / "api" / "multinic.py"]

FORBIDDEN = ("multinic_api", "multinic_identity",
             # the ORM-era "who is asking" helper, which imports both
             "multinic_dashboard.api.caller")


def modules() -> list[Path]:
    found = [path for panel in PANELS for path in sorted(panel.rglob("*.py"))]
    return found + HELPERS


def forbidden_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
                "__import__", "import_module") and node.args and isinstance(
                node.args[0], ast.Constant):
            names.append(str(node.args[0].value))
    return sorted({name for name in names for banned in FORBIDDEN
                   if name == banned or name.startswith(f"{banned}.")})


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_panel_module_imports_the_apis_code(path):
    assert forbidden_imports(path) == []


def test_the_check_sees_an_import_at_any_depth(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from multinic_api.models import VIF\n"
                      "    import multinic_identity.services\n"
                      "from multinic_dashboard.api import caller, multinic\n")
    assert forbidden_imports(sample) == [
        "multinic_api.models", "multinic_api.models.VIF", "multinic_dashboard.api.caller",
        "multinic_identity.services"]


def test_the_panels_are_found():
    names = {str(p.relative_to(ROOT)) for p in modules()}
    assert {"dashboards/project/instances/views.py", "dashboards/project/instances/tabs.py",
            "dashboards/project/instances/workflows.py", "dashboards/project/networks/forms.py",
            "formatting.py"} <= names


def wizard_scripts() -> list[Path]:
    return sorted((ROOT / "static" / "multinic_dashboard" / "js").glob("*.js"))


def test_the_wizards_scripts_are_loaded_in_the_same_order_on_both_kinds_of_page():
    """The standalone site links them from the wizard's template; an OpenStack dashboard from
    the enabled file's ADD_JS_FILES. Both list every one of them, the namespace first and the
    part that starts the wizard last."""
    from multinic_dashboard.enabled import _6000_multinic_project_panel_group as enabled

    template = (ROOT / "templates" / "multinic_dashboard" / "instances" / "launch" /
                "launch.html").read_text()
    linked = re.findall(r'<script src="\{\{ STATIC_URL \}\}([^"]+)"></script>', template)
    assert linked == enabled.ADD_JS_FILES
    assert sorted(linked) == [f"multinic_dashboard/js/{p.name}" for p in wizard_scripts()]
    assert linked[0].endswith("/horizon.multinic.js")
    assert linked[-1].endswith("/horizon.multinic.launch.js")


def test_the_wizards_script_and_templates_name_no_url_of_their_own():
    """The script calls only the URLs the page gives it (the panel's own, reversed, so under
    an OpenStack dashboard's WEBROOT), never /api/, which only the standalone site serves."""
    script = "".join(path.read_text() for path in wizard_scripts())
    assert "/api/" not in script and "/project/" not in script
    for url in ("preview-url", "bonding-modes-url", "carriers-url"):
        assert f"$root.data('{url}')" in script, url
    launch = ROOT / "templates" / "multinic_dashboard" / "instances" / "launch"
    for template in launch.glob("*.html"):
        assert "/api/" not in template.read_text(), template.name
