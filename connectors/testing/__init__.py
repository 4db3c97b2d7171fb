"""The connector contract suite: what every connector must do, run against any connector that
ships a *harness*.

A harness (:class:`ConnectorHarness`) is the small, ERP-specific part of the tests: how to build
the connector, a sample payload per object type, how to inject a fault, how to make a record
disappear from the ERP, how to add and change records for a fetch (and which job the per-job
kinds are filed under). The checks themselves
(:class:`ConnectorContract`) are the same for every connector, and are parametrised from the
connector's declared capabilities:

* for each type declared ``export_create``: create returns an origin id; the same idempotency
  key again returns the same origin id and files nothing new; ``find_by_external_ref`` finds it
  (and answers None for an unknown key); ``delete_check`` is False while the record exists;
  ``export_batch`` answers one entry per item, in order, with per-item
  errors; the harness's sample payload meets the declared rules;
* for each type declared ``export_update``: ``update`` with the record's ERP id changes that
  record in place (same origin id, new values, nothing filed), a retry with the same key (after
  a lost response too) files nothing, and updating a record the ERP deleted is a
  :class:`PermanentError` (where the harness can delete it);
* for each type declared ``unlink`` (what *Unlink from ERP* asks): once the harness removed an
  exported record from the ERP, ``delete_check`` is True for it and still False for another (so
  the harness must be able to remove every such type; it need not for the others);
* for each kind declared in ``fetches`` (per-job kinds fetched for the harness's job):
  ``fetch`` yields batches whose cursor resumes where it stopped (no record twice, none
  missed, nothing after the end, ``total`` right when given); every record has a string
  ``origin_id``; a record changed after it was sent comes again after the cursor, once; a kind
  not declared is a :class:`PermanentError`;
* for each declared rule: a payload that breaks it gets the rule's message, ``{limit}`` and
  ``{line}`` filled in;
* an injected transient fault raises :class:`TransientError`, a permanent one
  :class:`PermanentError`, refused credentials :class:`AuthenticationError`, each with the ERP's
  message; a lost response (the ERP saved the record, the answer never came) is recovered by the
  idempotency key.

Where the harness lives: the module ``harness`` next to the connector's module (the sandbox's
is ``connectors/sandbox/harness.py``), holding a :class:`ConnectorHarness` subclass whose
``connector_class`` is the connector. :func:`discover_harnesses` finds them for every registered
connector. A connector package runs the suite in its own tests with::

    from connectors.testing import ConnectorContract
    from acme_erp.harness import AcmeHarness

    class TestAcmeContract(ConnectorContract):
        harnesses = (AcmeHarness,)

The package: :mod:`.harnesses` (the harness and finding it), :mod:`.rules` (breaking a rule),
:mod:`.suite` (parametrisation, fixtures, helpers), the checks in :mod:`.cases_export`,
:mod:`.cases_fetch` and :mod:`.cases_faults`, put together in :mod:`.contract`.

This package needs pytest (a test dependency); the portal itself never imports it.
"""

from connectors.testing.contract import ConnectorContract
from connectors.testing.harnesses import (
    HARNESS_MODULE,
    ConnectorHarness,
    Fault,
    InjectedFault,
    discover_harnesses,
    harness_for,
)
from connectors.testing.rules import violate
from connectors.testing.suite import (
    ARGNAMES,
    OPERATIONS,
    fetch_all,
    fetch_kinds,
    new_key,
    origin_ids,
    over,
)

__all__ = [
    "ARGNAMES",
    "HARNESS_MODULE",
    "OPERATIONS",
    "ConnectorContract",
    "ConnectorHarness",
    "Fault",
    "InjectedFault",
    "discover_harnesses",
    "fetch_all",
    "fetch_kinds",
    "harness_for",
    "new_key",
    "origin_ids",
    "over",
    "violate",
]
