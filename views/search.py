"""Search for the admin lists: a word that is a whole ID number or phone matches those
columns exactly (indexed, and only for roles that see them unmasked); other words match names
and text by fragment; a field on a many-to-one relation is searched through an IN over that
table rather than an outer join of it."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import String, Unicode, and_, cast, false, or_, select, union_all
from sqlalchemy.orm import MANYTOONE

from admin_app import access
from admin_app.extensions import db
from models import name_index
from models import validators as rules
from models.sealed import Sealed, blind_index
from models.validators import InvalidValue

CLEANERS = {"id_number": rules.clean_id_number, "phone": rules.clean_phone}


def whole_numbers(term: str) -> dict[str, str]:
    """The kinds of number (ID number, phone) `term` is a whole one of, in normal form."""
    numbers = {}
    for kind, clean in CLEANERS.items():
        try:
            numbers[kind] = clean(term)
        except InvalidValue:
            pass
    return {kind: number for kind, number in numbers.items() if number}


def index_match(field, number: str):
    """`field` (a sealed column, of a model or an alias) equals `number`, through its blind
    index: indexed, and no plain value is compared in SQL."""
    name = field.info["index"]
    table = getattr(field, "table", None)
    index = table.c[name] if table is not None else getattr(field.parent.entity, name)
    return index == blind_index(number)


def narrowed(field, clause, fragment: str | None):
    """`clause` (the field matches the fragment), first narrowed to the records whose names
    hold the fragment's characters when the field is an indexed name (models.name_index):
    a look-up instead of a scan of every name. The clause itself still decides."""
    kind = getattr(field, "info", {}).get("name_index") if fragment else None
    found = name_index.candidates(kind, fragment) if kind else None
    return clause if found is None else and_(found, clause)


def is_sealed(field) -> bool:
    return isinstance(getattr(field, "type", None), Sealed)


class ScopedSearchMixin:
    @property
    def simple_list_pager(self) -> bool:
        """No total count under a search: counting the matches is a second scan of every
        name, and someone searching wants the child, not the number."""
        from flask import has_request_context, request

        return has_request_context() and bool(request.args.get("search"))

    def _apply_search(self, query, count_query, joins, count_joins, search):
        """A word that is a whole ID number or phone matches those columns exactly (indexed,
        and only for roles that see them unmasked); other words match names and text by
        fragment. A fragment of a number never probes who has it."""
        masked = not access.handles_numbers(current_user)
        sqlite = db.engine.dialect.name == "sqlite"
        for term in search.split():
            numbers = whole_numbers(term)
            fragment = None if numbers else term
            # Matches in the model's own columns (or through an IN over a related table)
            # are gathered as sets of ids, each found through its own narrow index; fields
            # reached through a join are matched on the joined rows.
            own, joined, count_joined = [], [], []
            for field, path in self._search_fields:
                kind = field.info.get("mask") if hasattr(field, "info") else None
                if numbers:
                    if kind not in numbers or masked or "index" not in field.info:
                        continue

                    def match(column, value=numbers[kind]):
                        return index_match(column, value)
                elif kind is not None or is_sealed(field):
                    continue  # encrypted: only a whole number finds it, through its index
                else:
                    pattern = f"%{term}%"
                    is_text = isinstance(field.type, String)

                    def match(column, pattern=pattern, is_text=is_text):
                        column = column if is_text else cast(column, Unicode)
                        # SQLite's LIKE already ignores ASCII case (and Chinese has none);
                        # its ILIKE becomes lower() LIKE lower(), twice as slow.
                        return (column.like(pattern) if sqlite else column.ilike(pattern))
                if not path:
                    own.append(narrowed(field, match(field), fragment))
                    continue
                if len(path) == 1 and path[0].property.direction is MANYTOONE:
                    # guardian.name: an IN over the guardians, not an outer join of them.
                    own.append(self._related_match(
                        path[0], field,
                        lambda column, match=match, field=field, fragment=fragment: narrowed(
                            field, match(column), fragment)))
                    continue
                query, joins, alias = self._apply_path_joins(query, joins, path,
                                                             inner_join=False)
                joined.append(match(field if alias is None else getattr(alias, field.key)))
                if count_query is not None:
                    count_query, count_joins, count_alias = self._apply_path_joins(
                        count_query, count_joins, path, inner_join=False)
                    count_joined.append(
                        match(field if count_alias is None else getattr(count_alias, field.key)))
            found = self._matching_ids(own)
            query = query.filter(or_(*found, *joined) if found or joined else false())
            if count_query is not None:
                count_query = count_query.filter(
                    or_(*found, *count_joined) if found or count_joined else false())
        return query, count_query, joins, count_joins

    def _matching_ids(self, clauses: list) -> list:
        """`id IN (ids matching the first clause UNION ALL ids matching the next ...)`: each
        part walks its own narrow index (the names' index, the guardians' ids) instead of
        every long row being read to test them all at once."""
        if not clauses:
            return []
        (key,) = self.model.__mapper__.primary_key
        return [key.in_(union_all(*(select(key).where(clause) for clause in clauses)))]

    @staticmethod
    def _related_match(relationship, field, match):
        (local,) = relationship.property.local_columns
        remote = relationship.property.mapper
        (remote_key,) = remote.primary_key
        return local.in_(select(remote_key).where(match(field)))

