"""Model instances read from the rows of a hand-written SELECT, and the
INSERT and UPDATE statements ``save()`` would send, built by hand.

For a short query, most of the ORM's Python time goes to compiling the SQL
and building instances column by column. Where a hot path needs several related
rows in one statement, it writes the SELECT by hand and lets a ``RowShape``
per model name the columns and turn them back into instances, with the
same conversions the ORM applies (SQLite's text timestamps, JSON, decimals).
Fields left out are deferred, exactly as with ``QuerySet.only()``: touching
one loads it with a query of its own, so a missing column costs a query,
never a wrong value.
"""

from django.db import connection as default_connection


class RowShape:
    """The columns of ``model`` in a hand-written SELECT: ``fields`` (names;
    all concrete fields when ``None``), in the model's field order, under
    the table alias ``alias``. A model with concrete parents (a Wagtail page
    type) has one table per model: ``alias`` then maps each model to its
    alias, e.g. ``{Page: "p", CoursePage: "c"}``."""

    def __init__(self, model, alias, fields=None):
        wanted = None if fields is None else set(fields)
        self.model = model
        self.aliases = alias if isinstance(alias, dict) else {model: alias}
        self.fields = [
            field for field in model._meta.concrete_fields
            if wanted is None or field.name in wanted or field.attname in wanted
        ]
        if wanted is not None:
            unknown = wanted - {name for field in self.fields for name in (field.name, field.attname)}
            if unknown:
                raise ValueError(f"{model.__name__} has no concrete fields {sorted(unknown)}")
        self.attnames = frozenset(field.attname for field in self.fields)
        attnames = [field.attname for field in self.fields]
        pk = model._meta.pk.attname
        self._pk_index = attnames.index(pk) if pk in attnames else None
        self._converters = {}

    def __len__(self):
        return len(self.fields)

    def columns(self, connection=default_connection):
        quote = connection.ops.quote_name
        return ", ".join(f"{self._alias(field)}.{quote(field.column)}" for field in self.fields)

    def _alias(self, field):
        return self.aliases.get(field.model) or self.aliases[self.model]

    def _converters_for(self, connection):
        if connection.alias not in self._converters:
            converters = []
            for field in self.fields:
                column = field.get_col(self._alias(field))
                found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                converters.append((found, column))
            self._converters[connection.alias] = converters
        return self._converters[connection.alias]

    def instance(self, values, connection=default_connection):
        """The instance for this shape's slice of a row, converted as the ORM
        would; ``None`` when its primary key is NULL (an outer join that
        found nothing)."""
        converted = []
        for value, (converters, column) in zip(values, self._converters_for(connection)):
            for converter in converters:
                value = converter(value, column, connection)
            converted.append(value)
        if self._pk_index is not None and converted[self._pk_index] is None:
            return None
        return self.model.from_db(connection.alias, self.attnames, converted)


def read_row(row, shapes, connection=default_connection):
    """Split ``row`` among ``shapes`` (in SELECT order); one instance (or
    ``None``) per shape."""
    instances, start = [], 0
    for shape in shapes:
        instances.append(shape.instance(row[start:start + len(shape)], connection))
        start += len(shape)
    return instances


def _prepared(instance, fields, connection, *, add):
    """The values of ``fields`` as ``save()`` would send them (defaults,
    auto timestamps, files, JSON)."""
    return [field.get_db_prep_save(field.pre_save(instance, add=add), connection) for field in fields]


def insert_statement(instance, connection=default_connection, suffix=""):
    """An INSERT of every column of an unsaved ``instance`` but its id,
    prepared as ``save()`` would, without the ORM compiling a query:
    (sql, params). ``suffix`` follows the VALUES (ON CONFLICT, RETURNING)."""
    quote = connection.ops.quote_name
    fields = [field for field in instance._meta.concrete_fields if not field.primary_key]
    sql = (
        f"INSERT INTO {quote(instance._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}){suffix}"
    )
    return sql, _prepared(instance, fields, connection, add=True)


def fields_update(instance, names, connection=default_connection):
    """UPDATE ``names`` of a saved ``instance`` in its row, prepared as
    ``save(update_fields=names)`` would, without the ORM compiling the
    query. No signals are sent: use it only for models that have no save
    hooks (no ``save()`` override, no receivers of their own)."""
    meta = instance._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in names]
    params = _prepared(instance, fields, connection, add=False)
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",
            [*params, instance.pk],
        )
