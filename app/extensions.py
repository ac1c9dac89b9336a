"""Extensions, created unbound and bound to the app in create_app()."""
from flask import current_app
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from werkzeug.local import LocalProxy

db = SQLA()
migrate = Migrate()
csrf = CSRFProtect()

# FAB keeps the registered view instances on its AppBuilder, so each app gets its own
# (see create_app); this proxy names the one of the running app.
appbuilder = LocalProxy(lambda: current_app.appbuilder)
