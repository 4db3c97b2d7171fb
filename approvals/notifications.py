"""Emails about items waiting for, or coming back from, accounting acceptance."""

from __future__ import annotations


def notify_sent(request_id: int) -> None:
    """Tell the account's approvers that an item waits for them."""


def notify_rejected(request_ids: list[int]) -> None:
    """Tell the senders (and creators) why their items came back."""
