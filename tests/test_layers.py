"""The apps import each other in one direction only (scripts/check_layers.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _checker():
    spec = importlib.util.spec_from_file_location("check_layers", ROOT / "scripts/check_layers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_layers"] = module
    spec.loader.exec_module(module)
    return module


def test_no_app_imports_one_above_it():
    assert _checker().violations() == []


def test_every_app_of_the_project_has_a_layer():
    from django.conf import settings

    layers = set(_checker().LAYERS)
    ours = {app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()}
    assert ours <= layers, f"apps without a layer: {ours - layers}"


def test_an_upward_import_is_reported(tmp_path):
    (tmp_path / "permissions").mkdir()
    (tmp_path / "permissions" / "bad.py").write_text(
        "def f():\n    from integrations.models import Project\n"
    )
    (tmp_path / "connectors").mkdir()
    (tmp_path / "connectors" / "leak.py").write_text("import tenancy.models\n")
    found = _checker().violations(tmp_path)
    assert found == [
        "connectors/leak.py:1: connectors imports tenancy, a layer above it",
        "permissions/bad.py:2: permissions imports integrations, a layer above it",
    ]
