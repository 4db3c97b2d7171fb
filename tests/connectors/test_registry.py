"""The connector registry: the built-ins, and third-party connectors registered through the
``erp_portal.connectors`` entry-point group (simulated by monkeypatching importlib.metadata)."""

from __future__ import annotations

import importlib.metadata
import sys
import textwrap
from collections.abc import Iterator

import pytest

from connectors import registry
from connectors.base import Batch, Capabilities, Connector, Entity, ExportResult
from connectors.registry import ENTRY_POINT_GROUP, available, builtin, connector_class
from connectors.sandbox import SandboxConnector


class AcmeConnector(Connector):
    """A third party's connector, as an installed package would ship it."""

    key = "acme"
    label = "Acme ERP"
    capabilities = Capabilities(entities={"company": Entity(export_create=True)})

    def test_connection(self) -> None:
        return None

    def export(self, obj_type, payload, idempotency_key) -> ExportResult:
        return ExportResult(origin_id="A-1")

    def find_by_external_ref(self, obj_type, idempotency_key) -> ExportResult | None:
        return None

    def delete_check(self, obj_type, origin_id) -> bool:
        return True

    def fetch(self, kind, cursor, *, job=None) -> Iterator[Batch]:
        return iter(())


class OtherAcmeConnector(AcmeConnector):
    label = "Another Acme ERP"


class ImpostorSandbox(AcmeConnector):
    key = "sandbox"
    label = "Not the sandbox"


class NotAConnector:
    key = "nope"


def not_a_class() -> None:
    return None


A_CONNECTOR_INSTANCE = AcmeConnector({})


def entry(name: str, target: str, group: str = ENTRY_POINT_GROUP) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=f"{__name__}:{target}", group=group)


@pytest.fixture(autouse=True)
def fresh_registry():
    """``available()`` is cached: start and end each test with an empty cache."""
    available.cache_clear()
    yield
    available.cache_clear()


@pytest.fixture
def installed(monkeypatch):
    """Pretend these entry points are installed (any group): importlib.metadata answers with
    them, filtered by group as it would."""

    def install(*entries: importlib.metadata.EntryPoint) -> list[dict]:
        calls: list[dict] = []

        def entry_points(**params):
            calls.append(params)
            return importlib.metadata.EntryPoints(entries).select(**params)

        monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
        monkeypatch.setattr(registry, "entry_points", entry_points)  # imported by name
        return calls

    return install


# --- built-ins -------------------------------------------------------------------------------


def test_the_sandbox_is_built_in():
    assert available()["sandbox"] is SandboxConnector
    assert connector_class("sandbox") is SandboxConnector


def test_an_unknown_key_is_a_lookup_error(installed):
    installed()
    with pytest.raises(LookupError, match="'nowhere'"):
        connector_class("nowhere")


def test_builtin_registers_a_class_and_returns_it(monkeypatch, installed):
    installed()
    monkeypatch.setattr(registry, "_BUILT_INS", dict(registry._BUILT_INS))
    assert builtin(AcmeConnector) is AcmeConnector
    assert connector_class("acme") is AcmeConnector


def test_the_registry_is_read_once(installed):
    calls = installed(entry("acme", "AcmeConnector"))
    assert available() is available()
    assert calls == [{"group": ENTRY_POINT_GROUP}]


# --- third-party connectors ------------------------------------------------------------------


def test_a_third_party_entry_point_registers_its_connector(installed):
    installed(entry("acme", "AcmeConnector"))
    assert connector_class("acme") is AcmeConnector
    assert list(available()) == ["sandbox", "tryton", "acme"]  # built-ins first


def test_entry_points_of_other_groups_are_ignored(installed):
    installed(entry("acme", "AcmeConnector", group="someone.else"), entry("x", "not_a_class", "x"))
    assert list(available()) == ["sandbox", "tryton"]


def test_an_installed_distribution_registers_through_the_group(tmp_path, monkeypatch):
    """No patching of the registry: a real distribution's entry_points.txt on sys.path."""
    package = tmp_path / "acme_erp_plugin"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent(
            f"""
            from {__name__} import AcmeConnector

            class PluginConnector(AcmeConnector):
                key = "acme_plugin"
            """
        )
    )
    dist = tmp_path / "acme_erp_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-erp-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nacme_plugin = acme_erp_plugin:PluginConnector\n\n"
        "[someone.else]\nbroken = acme_erp_plugin:nothing_here\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "acme_erp_plugin", raising=False)
    try:
        cls = connector_class("acme_plugin")
        assert cls.__module__ == "acme_erp_plugin"
        assert issubclass(cls, Connector)
        assert available()["sandbox"] is SandboxConnector
    finally:
        sys.modules.pop("acme_erp_plugin", None)


@pytest.mark.parametrize(
    "target", ["NotAConnector", "not_a_class", "A_CONNECTOR_INSTANCE"], ids=str.lower
)
def test_a_bad_entry_point_is_a_type_error(installed, target):
    installed(entry("acme", "AcmeConnector"), entry("bad_one", target))
    with pytest.raises(TypeError, match="Entry point bad_one is not a Connector class"):
        available()


def test_a_bad_entry_point_is_not_cached_as_an_empty_registry(installed, monkeypatch):
    installed(entry("bad_one", "NotAConnector"))
    with pytest.raises(TypeError):
        available()
    installed(entry("acme", "AcmeConnector"))  # the bad package uninstalled
    assert connector_class("acme") is AcmeConnector


def test_a_plugin_does_not_replace_a_built_in(installed):
    installed(entry("sandbox", "ImpostorSandbox"), entry("acme", "AcmeConnector"))
    assert connector_class("sandbox") is SandboxConnector
    assert connector_class("acme") is AcmeConnector
    assert ImpostorSandbox not in available().values()


def test_the_first_plugin_with_a_key_wins(installed):
    installed(entry("acme", "AcmeConnector"), entry("acme_again", "OtherAcmeConnector"))
    assert connector_class("acme") is AcmeConnector
