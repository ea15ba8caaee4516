"""What changed in the register between an earlier date and a report: the data handed from
``api`` to the report renderers (areas in ha, shares 0–1, dates as ``datetime.date``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReportChanges:
    """Changes after ``since`` (exclusive).

    ``basis`` says where ``since`` came from: ``given`` (the reader chose it) or
    ``previous_report`` (the previous report of the same area, written that day).
    ``zones_removed`` is None when no report was recorded on or before ``since`` (the register
    keeps no deleted zones, only the zone codes each report covered); ``flags_raised`` and
    ``flags_cleared`` are None when no analysis had finished by ``since``.
    """

    since: dt.date
    basis: str
    zones_added: list[dict[str, Any]]
    zones_removed: list[str] | None
    boundaries: list[dict[str, Any]]
    footprints: list[dict[str, Any]]
    flags_raised: list[dict[str, Any]] | None
    flags_cleared: list[dict[str, Any]] | None
    baseline_run: dict[str, Any] | None

    @property
    def is_empty(self) -> bool:
        """True when nothing changed that the register can tell."""
        lists = (
            self.zones_added,
            self.zones_removed,
            self.boundaries,
            self.footprints,
            self.flags_raised,
            self.flags_cleared,
        )
        return not any(lists)
