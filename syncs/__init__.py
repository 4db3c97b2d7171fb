"""Syncs: what comes back from the ERP. Runs per (connection, kind) that fetch batches from the
connector since a cursor, staged records waiting in *Ready to Import*, the records synced
directly (cost codes, job costs, payments), and the schedules beat runs them on."""
