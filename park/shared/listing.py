"""A listing's page and its total: one helper for every filtered list of the API and pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


async def filtered_page(
    query: Any, count: Any, conditions: Iterable[Any], limit: int | None = None, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """The rows of Piccolo `query` and the `count` of all rows, both filtered by every condition;
    one page of rows when `limit` is given."""
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return await query, await count
