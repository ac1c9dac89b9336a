"""FAB's security pages with our rules (issue 8): logout and the language switch change
state only on POST with the CSRF token (a GET shows a confirmation page, finding 13); the
password change asks for the current password (finding 9); a user with history is refused
deletion with a 422 page naming why (finding 5)."""
from __future__ import annotations

from flask import (
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.forms import ResetPasswordForm
from flask_appbuilder.security.views import AuthDBView as FabAuthDBView
from flask_appbuilder.security.views import (
    ResetMyPasswordView as FabResetMyPasswordView,
)
from flask_appbuilder.security.views import UserDBModelView as FabUserDBModelView
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import logout_user
from werkzeug.security import check_password_hash
from wtforms import PasswordField
from wtforms.validators import DataRequired
from wtforms.validators import ValidationError as FormValidationError

from app.core.redirects import is_safe_redirect
from app.core.users import refuse_delete_with_history


def confirm_page(title, question, button, action):
    return render_template("security/confirm.html", title=title, question=question, button=button, action=action)


# Each subclass keeps FAB's class name: endpoints and permission names stay FAB's
# (seed/roles/*.yaml grants can_this_form_get on ResetMyPasswordView, for example).


class AuthDBView(FabAuthDBView):
    """Logout: a GET asks for confirmation, the POST (with the CSRF token) signs out."""

    @expose("/logout/", methods=["GET", "POST"])
    def logout(self):
        if request.method == "GET":
            return confirm_page(_l("Cerrar sesión"), _l("¿Quieres cerrar la sesión?"), _l("Cerrar sesión"),
                                url_for(f"{self.endpoint}.logout"))
        return super().logout()


def _current_password_is_right(_form, field) -> None:
    if not check_password_hash(g.user.password or "", field.data or ""):
        raise FormValidationError(_l("La contraseña actual no es correcta."))


class ChangeMyPasswordForm(ResetPasswordForm):
    current_password = PasswordField(_l("Contraseña actual"), validators=[DataRequired(), _current_password_is_right])


class ResetMyPasswordView(FabResetMyPasswordView):
    form = ChangeMyPasswordForm

    def form_post(self, form) -> None:
        super().form_post(form)
        # the change bumped the session version: this browser signs in again, like the others
        logout_user()


class UserDBModelView(FabUserDBModelView):
    def _delete(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is not None:
            refuse_delete_with_history(self.datamodel.session, item)
        return super()._delete(pk)


class LanguageView(BaseView):
    """POST /lang/<locale>: FAB's GET of the same address only shows the confirmation."""

    route_base = "/lang"
    default_view = "switch"

    @expose("/<string:locale>", methods=["POST"])
    def switch(self, locale):
        if locale not in self.appbuilder.bm.languages:
            abort(404)
        session["locale"] = locale
        refresh()
        target = request.form.get("next")
        return redirect(target if is_safe_redirect(target) else self.appbuilder.get_url_for_index)


def confirm_language(locale):
    languages = current_app.appbuilder.bm.languages
    if locale not in languages:
        abort(404)
    return confirm_page(_l("Idioma"), _l("¿Cambiar el idioma a %(name)s?", name=languages[locale]["name"]),
                        _l("Cambiar idioma"), url_for("LanguageView.switch", locale=locale))


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(LanguageView)
    current_app.view_functions["LocaleView.index"] = confirm_language
