"""What a batch of fetched ERP records does to the portal, per kind: staged records
(:mod:`.staged`), or records synced directly (:mod:`.cost_codes`, :mod:`.job_costs`,
:mod:`.payments`). Each applier takes one batch and answers a :class:`~.base.Tally`; the
engine calls it inside the transaction that also advances the cursor."""
