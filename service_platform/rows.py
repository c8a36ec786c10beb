"""Many rows of one community written at once: a few statements for a whole list, not one or
two a row (timetables, registers and catalogues are loaded hundreds of rows at a time)."""
from __future__ import annotations

from sqlalchemy import Connection, bindparam, insert, select, update

CHUNK = 500  # keys to an `IN (…)`: well within every backend's limit on parameters


def replace_rows(conn: Connection, table, community_id: str, key: str,
                 rows: list[dict]) -> None:
    """Insert the rows not there yet and update those that are, in place (updating keeps row
    locks waiting on them meaningful). Rows are keyed by (community_id, `key`); a key given
    twice keeps its last row. Every row has the same columns."""
    rows = list({row[key]: row for row in rows}.values())
    if not rows:
        return
    keys = [row[key] for row in rows]
    there: set = set()
    for start in range(0, len(keys), CHUNK):
        there.update(conn.execute(select(table.c[key]).where(
            table.c.community_id == community_id,
            table.c[key].in_(keys[start:start + CHUNK]))).scalars())
    old = [row for row in rows if row[key] in there]
    new = [row for row in rows if row[key] not in there]
    if old:
        conn.execute(update(table).where(table.c.community_id == bindparam("where_community"),
                                         table.c[key] == bindparam("where_key")),
                     [{**row, "where_community": community_id, "where_key": row[key]}
                      for row in old])
    if new:
        conn.execute(insert(table), new)
