"""Status reasons written before reason codes get their code where their English is recognised.

A text this migration does not recognise (a person's words, or a refusal whose rule it cannot
name) keeps no code and is read as it was. The patterns are this migration's own: they are
the texts Park wrote until 2026-12-03, whatever the catalogue says later.
"""

import json
import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T12:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Old status reasons of bookings and waitlist entries mapped to reason codes"

QUOTA = ("your firm has used %(used)s of %(quota)s hours for %(kind)s this month (%(left)s left); "
         "shorten the booking or choose another month")
LEGACY: list[tuple[str, str, str]] = [
    # (table, pattern of the whole text, code); the pattern's named groups are the parameters.
    ("booking", r"The facility is closed for that period\.", "booking.closed"),
    ("booking", r"The facility is closed: (?P<reason>.+)", "booking.closed_because"),
    ("booking", r"The facility has been taken out of service\.", "booking.taken_out_of_service"),
    ("booking", r"Nobody checked in within 15 minutes of the start\.", "booking.no_show"),
    ("booking", r"Not decided before the start\.", "booking.not_decided"),
    ("booking", r"Series cancelled from this date\.", "booking.series_cancelled"),
    ("booking", r"Another firm ranked higher in the draw for this time\. Free instead: (?P<choices>.+)\.",
     "booking.draw_ranked_lower"),
    ("booking", r"Another firm ranked higher in the draw for this time\. No free time nearby\.",
     "booking.draw_ranked_lower_nothing_near"),
    ("booking", r"Not granted in the draw: your firm has used (?P<used>\S+) of (?P<quota>\S+) hours for (?P<kind>\S+)"
     r" this month \((?P<left>\S+) left\); shorten the booking or choose another month\.", "booking.draw_over_quota"),
    ("booking", r"Not granted in the draw: over the monthly quota\.", "booking.draw_over_quota"),
    ("booking_waitlist", r"The slot did not free in time\.", "waitlist.slot_not_freed"),
    ("booking_waitlist", r"The user is no longer active\.", "waitlist.user_inactive"),
]


def recognise(table: str, text: str) -> tuple[str, dict] | None:
    """The code and parameters of an old reason text, or None."""
    for of_table, pattern, code in LEGACY:
        found = re.fullmatch(pattern, text, flags=re.DOTALL) if of_table == table else None
        if found is None:
            continue
        params = found.groupdict()
        if code == "booking.draw_over_quota":
            violation = ({"message": QUOTA, "params": params} if params
                         else {"message": "over the monthly quota", "params": {}})
            params = {"violation": violation}
        return code, params
    return None


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)

    async def map_texts():
        from park.shared.db import fetch

        for table in ("booking", "booking_waitlist"):
            texts = await fetch(
                f"SELECT DISTINCT status_reason FROM {table} WHERE status_reason <> '' AND status_reason_code = ''"
            )
            for row in texts:
                known = recognise(table, row["status_reason"])
                if known is None:
                    continue
                code, params = known
                await fetch(
                    f"UPDATE {table} SET status_reason_code = $1, status_reason_params = $2 "
                    "WHERE status_reason = $3 AND status_reason_code = ''",
                    code, json.dumps(params, ensure_ascii=False), row["status_reason"],
                )

    manager.add_raw(map_texts)
    return manager
