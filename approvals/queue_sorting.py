"""The queue's headings that sort it: Amount and Sent, each a link to the same sort the queue's
*Sort* choice offers (:data:`approvals.selectors.SORTS`)."""

from __future__ import annotations

from django.http import QueryDict

from tenancy.sorting import Heading

# The queue's columns that sort by a click on their heading: the sort each click asks (the
# first click: the first of the pair; on the column already sorted, the other way).
HEADING_SORTS: dict[str, tuple[str, str, str]] = {
    "amount": ("Amount", "amount_desc", "amount_asc"),
    "sent": ("Sent", "oldest", "newest"),
}


def sort_headings(params: QueryDict, current: str) -> dict[str, Heading]:
    """The Amount and Sent headings: each a link to the queue sorted by it (filters kept, page
    1), with ``aria-sort`` on the one sorting now. The Sort choice above says the same."""
    headings = {}
    for column, (text, first, second) in HEADING_SORTS.items():
        query = params.copy()
        query.pop("page", None)
        query["sort"] = second if current == first else first
        state = {first: first, second: second}.get(current, "")
        ascending = state in ("amount_asc", "oldest")
        sort = ("ascending" if ascending else "descending") if state else ""
        headings[column] = Heading(text, f"?{query.urlencode()}", sort, column, column == "amount")
    return headings
