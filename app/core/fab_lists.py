"""FAB's lists, one behaviour for every page and API (issue 19, points 10 and 11 and what the
sweeps found): filters and order columns.

FAB builds each view's filters from its datamodel's `filter_converter_class`; `install()`
makes `FilterConverter` that class for every SQLAInterface, before AppBuilder builds a view.
It differs from FAB's in two ways:

- relation filters and a value that is not a row the active company sees (deleted, never
  existed, another company's): "equal to" and "contains" answer no rows, "not equal to"
  every row. FAB compared with NULL instead (rows without the relation) or dropped the
  filter (all rows), and a list page 500'd on an operator index the column does not have
  (`_flt_2_assignment`: relations have two; refused as a 422 by app/core/web_input.py);
- text filters compare text: a Rison number, boolean or null on a text column
  (`(col:first_name,opr:eq,value:5)`) is the text "5", where PostgreSQL refused
  `varchar = integer` and `"%" + 5` raised in Python (both a 500);
- boolean filters compare booleans: FAB turned "y" into true but left "n" or "0" a text,
  which PostgreSQL refused (`boolean = varchar`, a 500).

FAB also offers, as a list's default order columns, any attribute of the model that is not
callable: a plain Python property (a status label computed in Python) got a sort link whose
click was a 500 (SQL cannot order by it). `install()` leaves those out.

`RestFilters` is the REST half: FAB picks a Rison filter's class by its operator name from a
process-wide map (the last class instantiated with that name, whatever its column type);
here it is the class the column itself offers, so the rules above hold on the API too.
"""
from __future__ import annotations

from flask_appbuilder.api import API_FILTERS_RIS_KEY
from flask_appbuilder.exceptions import InvalidOperationFilterFABException
from flask_appbuilder.models.sqla import filters as fab
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import false

NO_SUCH_FILTER = _l("No se puede filtrar por «%(column)s» con el operador «%(operator)s».")

# --- relations ----------------------------------------------------------------------


class RelationEqual(fab.FilterRelationOneToManyEqual):
    def apply(self, query, value):
        query, field = fab.get_field_setup_query(query, self.model, self.column_name)
        row = self.datamodel.get_related_obj(self.column_name, value)
        return query.filter(false()) if row is None else query.filter(field == row)


class RelationNotEqual(fab.FilterRelationOneToManyNotEqual):
    def apply(self, query, value):
        query, field = fab.get_field_setup_query(query, self.model, self.column_name)
        row = self.datamodel.get_related_obj(self.column_name, value)
        return query if row is None else query.filter(field != row)


class RelationContains(fab.FilterRelationManyToManyEqual):
    def apply_item(self, query, field, value_item):
        row = self.datamodel.get_related_obj(self.column_name, value_item)
        return query.filter(false()) if row is None else query.filter(field.contains(row))


# --- text -----------------------------------------------------------------------------


def as_text(value):
    """A Rison scalar as the text a text column holds (lists item by item)."""
    if isinstance(value, list):
        return [as_text(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _text_filter(base):
    """`base` comparing text: numbers and booleans become their text; a pattern operator
    (starts with, contains...) given null does not filter."""
    patterns = base in (fab.FilterStartsWith, fab.FilterEndsWith, fab.FilterContains,
                        fab.FilterNotStartsWith, fab.FilterNotEndsWith, fab.FilterNotContains)

    def apply(self, query, value):
        value = as_text(value)
        if patterns and not isinstance(value, str):
            return query
        return base.apply(self, query, value)

    return type(f"Text{base.__name__.removeprefix('Filter')}", (base,), {"apply": apply})


def as_boolean(value):
    """A page's "y"/"n" (or "1", "0", "true", "false") or a Rison boolean as a boolean."""
    if isinstance(value, str):
        return value.strip().lower() in ("y", "1", "true")
    return bool(value)


class BooleanEqual(fab.FilterEqual):
    def apply(self, query, value):
        query, field = fab.get_field_setup_query(query, self.model, self.column_name)
        return query.filter(field == as_boolean(value))


class BooleanNotEqual(fab.FilterNotEqual):
    def apply(self, query, value):
        query, field = fab.get_field_setup_query(query, self.model, self.column_name)
        return query.filter(field != as_boolean(value))


TEXT_FILTERS = [_text_filter(base) for base in (
    fab.FilterStartsWith, fab.FilterEndsWith, fab.FilterContains, fab.FilterEqual, fab.FilterNotStartsWith,
    fab.FilterNotEndsWith, fab.FilterNotContains, fab.FilterNotEqual, fab.FilterIn, fab.FilterNotIn,
)]
_REPLACED = {
    fab.FilterRelationOneToManyEqual: RelationEqual,
    fab.FilterRelationOneToManyNotEqual: RelationNotEqual,
    fab.FilterRelationManyToManyEqual: RelationContains,
}


def _conversion_table():
    table = []
    for test, classes in fab.SQLAFilterConverter.conversion_table:
        if test in ("is_text", "is_string"):
            by_base = {cls.__mro__[1]: cls for cls in TEXT_FILTERS}
            classes = [by_base.get(cls, cls) for cls in classes]
        elif test == "is_boolean":
            classes = [{fab.FilterEqual: BooleanEqual, fab.FilterNotEqual: BooleanNotEqual}.get(c, c) for c in classes]
        table.append((test, [_REPLACED.get(cls, cls) for cls in classes]))
    return tuple(table)


class FilterConverter(fab.SQLAFilterConverter):
    """FAB's column type -> filters table, with the relation and text filters above (same
    operators, same order: a page's `_flt_<n>_<col>` keeps its meaning)."""

    conversion_table = _conversion_table()


# --- REST -----------------------------------------------------------------------------


class RestFilters:
    """ModelRestApi mixin: each Rison filter is applied by the filter class its column
    offers for that operator (400 naming the column and operator when it offers none)."""

    def _handle_filters_args(self, rison_args):
        self._filters.clear_filters()
        offered = self._filters.get_search_filters()
        for item in rison_args.get(API_FILTERS_RIS_KEY, []):
            column, operator = item.get("col"), item.get("opr")
            match = next((f for f in offered.get(column, []) if f.arg_name == operator), None)
            if match is None:
                raise InvalidOperationFilterFABException(str(NO_SUCH_FILTER) % {"column": column, "operator": operator})
            self._filters.add_filter(column, type(match), item.get("value"))
        return self._filters.get_joined_filters(self._base_filters)


# --- order columns ----------------------------------------------------------------------

_fab_order_columns = SQLAInterface.get_order_columns_list


def orderable_columns(self, list_columns=None) -> list[str]:
    """FAB's default order columns without the model's plain Python properties."""
    return [name for name in _fab_order_columns(self, list_columns=list_columns)
            if not isinstance(getattr(self.obj, name, None), property)]


def install() -> None:
    """Every SQLAInterface (and subclass) builds its filters with FilterConverter and offers
    only the columns SQL can order by."""
    SQLAInterface.filter_converter_class = FilterConverter
    SQLAInterface.get_order_columns_list = orderable_columns
