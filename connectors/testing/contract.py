"""The checks every connector must pass, as one class to subclass in a ``Test...`` class."""

from __future__ import annotations

from connectors.testing.cases_export import ExportChecks, RuleChecks
from connectors.testing.cases_faults import FaultChecks
from connectors.testing.cases_fetch import FetchChecks


# pytest runs a base class's checks before a subclass's: the groups are listed last-first so
# they run as exports, imports, rules, then faults (after the checks of the whole connector).
class ConnectorContract(FaultChecks, RuleChecks, FetchChecks, ExportChecks):
    """The checks every connector must pass. Subclass it in a ``Test...`` class; leave
    ``harnesses`` None to run over every registered connector that ships a harness."""
