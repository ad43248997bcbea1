"""The dashboards' tallies: which CreditTally rows an entry adds to, and the
one statement that adds it (decision 0007)."""

from django.db import connection

from lms.constants import CITY, TallyDimension
from lms.ledger.models import CreditTally


def tally_rows(credit):
    """The tally rows one entry adds to: (district_key, dimension, key)."""
    per_scope = [
        (TallyDimension.TOTAL, ""),
        (TallyDimension.SUBJECT, credit.subject),
        (TallyDimension.STAGE, credit.stage),
        (TallyDimension.CATEGORY, credit.category),
        (TallyDimension.MONTH, f"{credit.occurred_on.month:02d}"),
        (TallyDimension.LOCALITY, credit.locality),
    ]
    rows = [(CITY, dimension, key) for dimension, key in per_scope]
    rows.append((CITY, TallyDimension.DISTRICT, str(credit.district_id)))
    rows += [(credit.district_id, dimension, key) for dimension, key in per_scope]
    rows.append((credit.district_id, TallyDimension.SCHOOL, str(credit.school_id)))
    # One order for every transaction, so two credits never deadlock on tallies.
    return sorted(rows)


def _tally_upsert(credit):
    """The upsert that adds ``credit`` to its tally rows, in their sorted
    order: (sql, params).

    On PostgreSQL the rows travel as three arrays, so the statement's text
    and its handful of parameters are the same for every credit and the
    driver reuses its parsed form; a VALUES list of 14 rows would be 98
    parameters, parsed afresh each time."""
    table = connection.ops.quote_name(CreditTally._meta.db_table)
    rows = tally_rows(credit)
    on_conflict = (
        f"ON CONFLICT (year, district_key, dimension, key) DO UPDATE SET "
        f"hours = {table}.hours + excluded.hours, "
        f"person_times = {table}.person_times + excluded.person_times, "
        f"entries = {table}.entries + excluded.entries"
    )
    columns = "(year, district_key, dimension, key, hours, person_times, entries)"
    if connection.vendor == "postgresql":
        sql = (
            f"INSERT INTO {table} {columns} "
            f"SELECT %s, r.district_key, r.dimension, r.key, %s, %s, 1 "
            f"FROM unnest(%s::integer[], %s::text[], %s::text[]) WITH ORDINALITY AS r(district_key, dimension, key, n) "
            f"ORDER BY r.n {on_conflict}"
        )
        district_keys, dimensions, keys = (list(column) for column in zip(*rows))
        return sql, [credit.year, credit.hours, credit.person_times, district_keys,
                     [str(dimension) for dimension in dimensions], keys]
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    params = []
    for district_key, dimension, key in rows:
        params += [credit.year, district_key, str(dimension), key, credit.hours, credit.person_times, 1]
    return f"INSERT INTO {table} {columns} VALUES {placeholders} {on_conflict}", params

