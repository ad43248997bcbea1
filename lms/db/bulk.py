"""Many rows into one table, fast: a COPY on PostgreSQL, one prepared
statement elsewhere."""

from django.db import connections, router


def rows_insert(model, field_names, rows):
    """INSERT ``rows`` (values for ``field_names``, in that order); every
    other column gets the field's default, or is left out when that default
    is NULL anyway (a ledger entry's empty evidence and reversal links).

    ``bulk_create`` prepares every value of every object in Python and, on
    SQLite, sends at most 999 values per statement: for 50,000 teachers that
    alone took most of the one-minute budget. Here SQLite runs one prepared
    statement for all rows and PostgreSQL takes a COPY, each about ten times
    faster. The values are plain strings, numbers, booleans and None, which
    every backend takes as they are; defaults (timestamps included) are
    prepared once.
    """
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    given = [model._meta.get_field(name) for name in field_names]
    template = model()
    others = [
        f for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in field_names and not (f.null and f.get_default() is None)
    ]
    defaults = tuple(f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in others)
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in given + others)
    with connection.cursor() as cursor:
        if can_copy(connection):
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *defaults))
        else:
            placeholders = ", ".join(["%s"] * (len(given) + len(others)))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", [(*row, *defaults) for row in rows]
            )


def can_copy(connection):
    """Whether ``connection`` takes COPY … FROM STDIN (PostgreSQL through psycopg 3)."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3
