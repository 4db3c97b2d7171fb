"""The connector contract suite over every registered connector that ships a harness (the
sandbox now; Tryton once its harness lands), and checks of the suite's own machinery."""

from __future__ import annotations

import ast
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from connectors import registry
from connectors.base import Check, Rule, validate
from connectors.payloads import Address, BudgetPayload, CompanyPayload, CostLine
from connectors.sandbox import SandboxConnector
from connectors.sandbox.harness import SandboxHarness
from connectors.testing import ConnectorContract, discover_harnesses, harness_for, violate

CONNECTORS = Path(registry.__file__).parent
PORTAL_APPS = {"integrations", "approvals", "permissions"}  # DESIGN.md, "Connectors"


class TestConnectorContract(ConnectorContract):
    """Every registered connector with a harness (``harnesses`` left None: discovered)."""


# --- the suite's machinery -------------------------------------------------------------------


def test_the_sandbox_ships_a_harness():
    assert harness_for(SandboxConnector) is SandboxHarness
    assert SandboxHarness in discover_harnesses()


@pytest.fixture
def fresh_registry():
    registry.available.cache_clear()
    yield
    registry.available.cache_clear()


def test_a_connector_without_a_harness_is_left_out(fresh_registry, monkeypatch):
    class Bare(SandboxConnector):
        key = "bare"

    monkeypatch.setitem(registry._BUILT_INS, "bare", Bare)
    assert "bare" in registry.available()
    assert harness_for(Bare) is None  # tests.connectors.harness does not exist
    found = [h.connector_class for h in discover_harnesses()]
    assert Bare not in found and SandboxConnector in found


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A directory on sys.path for throwaway packages, forgotten again after the test."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


def test_a_third_party_packages_harness_is_found(scratch):
    package = scratch / "acme_erp"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent(
            """
            from connectors.sandbox import SandboxConnector

            class AcmeConnector(SandboxConnector):
                key = "acme"
            """
        )
    )
    (package / "harness.py").write_text(
        textwrap.dedent(
            """
            from acme_erp import AcmeConnector
            from connectors.sandbox.harness import SandboxHarness

            class AcmeHarness(SandboxHarness):
                connector_class = AcmeConnector
            """
        )
    )
    import acme_erp

    found = harness_for(acme_erp.AcmeConnector)
    assert found is not None
    assert found.__name__ == "AcmeHarness"
    # The sandbox's own harness is imported there but belongs to another connector.
    assert harness_for(SandboxConnector) is SandboxHarness


def test_a_broken_harness_module_is_not_taken_for_a_missing_one(scratch):
    package = scratch / "broken_erp"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from connectors.sandbox import SandboxConnector\n"
        "class BrokenConnector(SandboxConnector):\n    key = 'broken'\n"
    )
    (package / "harness.py").write_text("import no_such_dependency_for_the_harness\n")
    import broken_erp

    with pytest.raises(ModuleNotFoundError):
        harness_for(broken_erp.BrokenConnector)


def test_violate_breaks_a_line_a_nested_record_and_a_field():
    lines = tuple(
        CostLine(position=p, description="", amount=Decimal(5), cost_code="x", cost_code_ref="y")
        for p in (1, 2, 3)
    )
    budget = BudgetPayload(project_number="1", project_ref="J-1", lines=lines)
    broken, line = violate(budget, Rule("lines.amount", Check.POSITIVE, "Line {line}"))
    assert line == 3
    assert [x.amount for x in broken.lines] == [5, 5, 0]
    company = CompanyPayload("A", "A", "subcontractor", Address(street="Main"))
    rule = Rule("address.street", Check.PRESENT, "The address is required.")
    broken, line = violate(company, rule)
    assert line is None
    assert broken.address.street == ""
    assert validate(broken, (rule,))[0].message == "The address is required."
    broken, _ = violate(budget, Rule("project_ref", Check.PRESENT, "Sync it"))
    assert broken.project_ref is None


# --- the design's boundary -------------------------------------------------------------------


def test_connectors_import_nothing_from_the_portal():
    """A connector sees payloads, never the portal's models, so it can live in its own
    package: nothing under connectors/ imports the portal's apps (lazily either)."""
    offenders = []
    for path in sorted(CONNECTORS.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            offenders += [
                f"{path.relative_to(CONNECTORS.parent)}:{node.lineno} {name}"
                for name in names
                if name.split(".")[0] in PORTAL_APPS
            ]
    assert offenders == []
