"""How a list page is drawn at a county's scale, as Flask-Admin draws it but with less work:
its count stops where counting stops being useful, its sorts walk indexes, its rows and
filter menus are made once rather than piece by piece. Who may see which rows is not
decided here (views.base scopes every query)."""

from __future__ import annotations

from collections import OrderedDict
from functools import cached_property

from flask import current_app, g
from flask_babel import get_locale
from jinja2 import pass_context
from markupsafe import Markup, escape
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Query, defer, joinedload, lazyload

from admin_app.extensions import db
from models.sealed import Sealed
from views.display import RowOptions, quick_row_actions


class AtLeast(int):
    """A list's count that stopped at its limit: there are more rows than this. Shown as
    "10,000+"; it holds one row more than that, so the pager offers the page past it."""

    def __str__(self) -> str:
        return f"{int(self) - 1:,}+"


class CappedCount(Query):
    """The count of a list, counted no further than is worth knowing (LIST_COUNT_LIMIT, or
    a few pages past the page shown): counting a county's 2.4 million care records took
    90 ms on every page, for a number nobody pages through."""

    def scalar(self):
        reach = g.get("count_reach")
        if not reach:
            return super().scalar()
        rows = self.with_entities(literal_column("1")).limit(reach + 1).subquery()
        found = self.session.scalar(select(func.count()).select_from(rows))
        return AtLeast(found) if found > reach else found


def _translated(item: dict) -> dict:
    """A filter as Flask-Admin's FilterGroup.non_lazy gives it, its texts in the current
    language; the rows offered (RowOptions: Homes, activity kinds) are left to be read for
    each page."""
    options = item["options"]
    if options and not isinstance(options, RowOptions):
        options = [(key, str(label)) for key, label in options]
    return {**item, "operation": str(item["operation"]), "options": options}


def _with_rows_read(item: dict) -> dict:
    if isinstance(item["options"], RowOptions):
        return {**item, "options": list(item["options"])}
    return item


class ListMixin:
    """For AppModelView: the list page's count, order, rows and filter menus."""

    def get_count_query(self):
        return CappedCount([func.count("*")], session=db.session()).select_from(self.model)

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True,
                 page_size=None):
        size = self.page_size if page_size is None else page_size
        g.count_reach = size and max(current_app.config["LIST_COUNT_LIMIT"],
                                     ((page or 0) + 5) * size)
        try:
            return super().get_list(page, sort_column, sort_desc, search, filters,
                                    execute=execute, page_size=page_size)
        finally:
            g.pop("count_reach", None)

    def _get_filter_groups(self):
        """The filters' labels and choices, for the page's filter menu. Flask-Admin makes them
        again on every page (2 ms, most of it translating labels); they change only with the
        language, so they are made once per language. The Homes offered are read live
        (they depend on the user, and on Homes added since)."""
        if not self._filter_groups:
            return None
        locale = str(get_locale())
        made = self._filter_groups_made.get(locale)
        if made is None:
            made = OrderedDict((str(group.label), [_translated(item) for item in group.filters])
                               for group in self._filter_groups.values())
            self._filter_groups_made[locale] = made
        return OrderedDict((label, [_with_rows_read(item) for item in items])
                           for label, items in made.items())

    @cached_property
    def _filter_groups_made(self) -> dict:
        return {}

    def get_list_row_actions(self):
        return quick_row_actions(super().get_list_row_actions())

    # On a phone (admin_app/static/app.css) each row is a card: the first of these columns
    # is its title, the others its label: value lines, and the list's other columns are
    # left off. None: the list's first column, then its next four but the Home's (the
    # phone's user mostly works in one Home).
    column_phone_list: tuple[str, ...] | None = None

    def _cell_openings(self, columns) -> list[tuple[str, str]]:
        """Each column's name and its cells' opening tag, with its label for the card's
        line and its place on a phone; made once per request (the labels are translated)."""
        made = g.setdefault("cell_openings", {})
        key = (self.endpoint, tuple(name for name, _label in columns))
        if key not in made:
            names = [name for name, _label in columns]
            phone = self.column_phone_list or (
                names[:1] + [name for name in names[1:] if name != "home"][:4])
            openings = []
            for name, label in columns:
                place = ("phone-title" if name == phone[0] else "" if name in phone
                         else "phone-hide")
                classes = f"col-{escape(name)} {place}".rstrip()
                openings.append((name, f'<td class="{classes}" data-label="{escape(label)}">'))
            made[key] = openings
        return made[key]

    @pass_context
    def row_cells(self, context, row, columns) -> Markup:
        """A list row's cells, as Flask-Admin's list template draws them (no cell here is
        editable in the list), made in one call instead of one template call per cell;
        each labelled, for the phone's card."""
        value = self.get_list_value
        return Markup("".join(  # noqa: S704 (every value is escaped here)
            f"{opening}{escape(value(context, row, name))}</td>"
            for name, opening in self._cell_openings(columns)))

    def scaffold_auto_joins(self):
        return []  # joined by the view's get_query instead: list_joins

    @cached_property
    def list_joins(self) -> tuple:
        """The related rows a list shows (a care record's child and caring mother), joined as
        Flask-Admin joins them, less their encrypted columns: the list shows their names, and
        decrypting fifty children's addresses and notes for it was a third of the page."""
        joins = []
        for relation in super().scaffold_auto_joins():
            remote = relation.property.mapper.class_
            sealed = [defer(getattr(remote, column.key)) for column in remote.__table__.columns
                      if isinstance(column.type, Sealed)]
            joins.append(joinedload(relation).options(*sealed))
        return tuple(joins)

    def get_sortable_columns(self):
        """As Flask-Admin's, and a list column may sort by a column of its own table:
        ("home", "home_id") sorts the Home column by the Home's id (Flask-Admin would name that
        sort "home_id", a column the list does not show, and offer no sort on "home")."""
        sortable = super().get_sortable_columns()
        for entry in self.column_sortable_list or ():
            if isinstance(entry, tuple) and isinstance(entry[1], str) and "." not in entry[1]:
                sortable[entry[0]] = sortable.pop(entry[1])
        return sortable

    def _apply_sorting(self, query, joins, sort_column, sort_desc):
        """The chosen order, then the id in the same direction: rows that tie (a hundred
        children of one school) keep one order from page to page, and the database walks
        one index for both."""
        query, joins = super()._apply_sorting(query, joins, sort_column, sort_desc)
        if sort_column is None or sort_column not in self._sortable_columns:
            order = list(self._get_default_order())
            fields = [field for field, _joins, _desc in order]
            sort_desc = bool(order) and order[-1][2]
        else:
            fields = [self._sortable_columns[sort_column]]
        if not any(field is self.model.id for field in fields):
            query = query.order_by(self.model.id.desc() if sort_desc else self.model.id)
        return query, joins

    def _apply_pagination(self, query, page, page_size):
        """A page far into a list: first the ids of that page (a walk of the narrow id index,
        not of every preceding row), then those rows, in the same order."""
        if page_size is None:
            page_size = self.page_size
        if not page or not page_size:
            return super()._apply_pagination(query, page, page_size)
        ids = (query.with_entities(self.model.id).options(lazyload("*"))
               .limit(page_size).offset(page * page_size).subquery())
        return query.filter(self.model.id.in_(select(ids.c.id)))
