"""Settings of the Celery worker the reliability tests start: ``erp_portal.settings``, read from
the environment the test gives it (the test database, a Redis broker db of the suite's own).

Only the clocks are shortened, so a test waits seconds where production waits minutes: the retry
backoff is capped at 2 s (instead of 10 min) and a claimed export's lease lasts 10 s (instead of
30 s), so the sweeper takes back what a killed worker held. The retry budget is 12 instead of 8:
with 20% transient errors and 10% lost responses on every call (the lookup before a re-create
included), 9 attempts leave one of 200 items in *Failed to Export* in about 1.5% of runs
(simulated); 13 attempts, about 0.04%. That scenario is about exactly-once, not about the budget.

With ``RELIABILITY_CLOCKS=production`` the export lease, its renewal, the sweeper's interval and
its grace period are production's (the environment's ``EXPORT_*``, else the defaults): the
recovery tests measure what a user would wait.
"""

import os

from erp_portal.settings import *  # noqa: F403

EXPORT_RETRY_BACKOFF_CAP = 2  # seconds
EXPORT_MAX_RETRIES = 12
SYNC_LEASE_SECONDS = 5
if os.environ.get("RELIABILITY_CLOCKS") != "production":
    EXPORT_LEASE_SECONDS = 10
