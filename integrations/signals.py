"""What the records tell the apps above them, without knowing them."""

from django.dispatch import Signal

# Sent inside the transaction that unlinks a synced record from its ERP record (*Unlink from
# ERP*, once the ERP no longer has it, or a PCCO's *Reset*), after the record is unsent again.
# ``sender`` is the record's model; the arguments: ``account``, ``record`` (now unsent),
# ``object_type`` (the ERP's name for its kind), ``origin_id`` and ``origin_code`` (the ERP
# record it was linked to), ``actor``, ``reason`` and ``reset`` (True for a PCCO reset, where
# the ERP was not asked). A staged record the record came from goes back to Ready to Import.
record_unlinked = Signal()
