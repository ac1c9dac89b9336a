"""Forms that keep what the user typed (issue 7 item 5, issue 9 item 7).

On a DomainError or a database constraint violation, the helper rolls back and the page
renders the same form again (422) with the typed values and each error beside its field,
by the field's label; never a flash and a jump to another page, never SQL text.

- `FormErrorsMixin` does it for FAB's add and edit forms (ModelView);
- `form_errors(exc, ...)` does it for our own forms: it rolls back and returns
  {field: sentence} for the template (key "" for an error that belongs to no field).
"""
from __future__ import annotations

from flask import flash, request
from flask_appbuilder import expose, has_access
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.urltools import get_filter_args
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError

from app.core.constraints import explain
from app.core.errors import DomainError, FieldErrors
from app.extensions import db

FORM_FAILURES = (DomainError, DBAPIError, DatabaseException)


def as_domain_error(exc: Exception, values=None, *, deleting: bool = False, labels=None) -> DomainError:
    """A DomainError, or a constraint violation (possibly wrapped by FAB) explained."""
    if isinstance(exc, DatabaseException) and isinstance(exc.__cause__, DBAPIError):
        exc = exc.__cause__
    if isinstance(exc, DBAPIError):
        return explain(exc, values, deleting=deleting, labels=labels)
    return exc


def rollback_after(exc: Exception) -> None:
    """Roll back the refused action; then, if the refusal has an `aftermath` (a write that
    must stand although the action is refused, e.g. an expiry found on the way), run it in a
    transaction of its own and commit it (once: the boundary and the answer may both call this)."""
    db.session.rollback()
    aftermath = getattr(exc, "aftermath", None)
    if aftermath is not None:
        exc.aftermath = None
        aftermath(db.session)
        db.session.commit()


def errors_by_field(exc: DomainError, fields=None) -> tuple[dict[str, str], str | None]:
    """The one split of a refusal for a form (issue 20 point 2): ({field: sentence} shown
    beside the form's `fields`, the sentence shown above it). Without `fields`, every named
    field is the form's."""
    errors = dict(exc.errors) if isinstance(exc, FieldErrors) else {exc.field or "": exc.message}
    beside = {k: v for k, v in errors.items() if k and (fields is None or k in fields)}
    rest = [v for k, v in errors.items() if k not in beside]
    return beside, rest[0] if rest else None


def form_errors(exc: Exception, values=None, *, labels=None) -> dict[str, str]:
    """Roll back and give {field: sentence} for a form ("" for what belongs to no field)."""
    rollback_after(exc)
    beside, above = errors_by_field(as_domain_error(exc, values, labels=labels))
    return {**beside, "": above} if above else beside


class FormErrorsMixin:
    """For a FAB ModelView: a refused add or edit re-renders its form (422) with the typed
    values and the error beside its field (FAB would flash it and redirect). What was done is
    told naming the row (issue 9, item 8: "Se ha añadido «Ana Ruiz»."), not "Added Row"."""

    done_messages = {
        "add": _l("Se ha añadido «%(name)s»."),
        "edit": _l("Se han guardado los cambios de «%(name)s»."),
        "delete": _l("Se ha eliminado «%(name)s»."),
    }

    def row_name(self, item) -> str:
        """How the user calls the row in a message (its repr, e.g. "Ana Ruiz (OP-1)")."""
        return str(item)

    def done_message(self, kind: str, item) -> str:
        return str(self.done_messages[kind]) % {"name": self.row_name(item)}

    def post_delete(self, item) -> None:
        # FAB flashes datamodel.message right after post_delete: name the deleted row
        self.datamodel.message = (self.done_message("delete", item), "success")

    def _failed(self, form, exc) -> None:
        errors = form_errors(exc, request.form, labels=getattr(self, "label_columns", {}))
        for name, sentence in errors.items():
            field = getattr(form, name, None) if name else None
            if field is not None:
                field.errors = [*field.errors, sentence]
            else:
                flash(sentence, "danger")
        self._form_refused = True

    def _add(self):
        self._form_refused = False
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form)
            if form.validate():
                self.process_form(form, True)
                item = self.datamodel.obj()
                try:
                    form.populate_obj(item)
                    self.pre_add(item)
                    self.datamodel.add(item)
                except FORM_FAILURES as exc:
                    self._failed(form, exc)
                else:
                    self.post_add(item)
                    flash(self.done_message("add", item), "success")
                    return None
            else:
                self._form_refused = True
        if not self._form_refused:
            self.update_redirect()
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk):
        self._form_refused = False
        if request.method != "POST":
            return super()._edit(pk)
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            from flask import abort

            abort(404)
        pk = self.datamodel.get_pk_value(item)
        form = self.edit_form.refresh(request.form)
        self._fill_form_exclude_cols(exclude_cols, form)
        form._id = pk
        if form.validate():
            self.process_form(form, False)
            try:
                form.populate_obj(item)
                self.pre_update(item)
                self.datamodel.edit(item)
            except FORM_FAILURES as exc:
                self._failed(form, exc)
            else:
                self.post_update(item)
                flash(self.done_message("edit", item), "success")
                return None
        else:
            self._form_refused = True
        return self._get_edit_widget(form=form, exclude_cols=exclude_cols)

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        widget = self._add()
        if not widget:
            return self.post_add_redirect()
        page = self.render_template(self.add_template, title=self.add_title, widgets=widget)
        return page, (422 if self._form_refused else 200)

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        pk = self._deserialize_pk_if_composite(pk)
        widgets = self._edit(pk)
        if not widgets:
            return self.post_edit_redirect()
        page = self.render_template(self.edit_template, title=self.edit_title, widgets=widgets,
                                    related_views=self._related_views)
        return page, (422 if self._form_refused else 200)
