"""What the ERP connection tells the apps above it, without knowing them."""

from django.dispatch import Signal

# Sent (inside the transaction) when an ERP admin resumes a paused connection, with
# ``account``: whatever waited for the ERP may go now.
connection_resumed = Signal()
