"""Application configuration: development (SQLite), testing and production (PostgreSQL)."""
import os
import secrets
from datetime import timedelta

from flask_appbuilder.const import AUTH_DB

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.path.join(BASE_DIR, "instance")


class Config:
    ENV_NAME = "development"
    APP_NAME = "Back office"
    # Unset in development: create_app() uses instance_secret_key() (issue 8, finding 1).
    SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or None
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", "sqlite:///" + os.path.join(INSTANCE_DIR, "app.db")
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Flask-AppBuilder: Alembic alone makes the schema; `flask seed` syncs permissions.
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = False
    FAB_SECURITY_MANAGER_CLASS = "app.core.security.SecurityManager"
    FAB_ADD_SECURITY_API = True
    FAB_API_SWAGGER_UI = True
    FAB_ADD_OPENAPI_VIEWS = False  # app/core/api_document.py serves the document and the Swagger page
    FAB_API_SHOW_STACKTRACE = False
    # Hosts a `next` may lead to: `host` (any port) or `host:port`, compared after parsing
    # (app/core/redirects.py), never as a glob; FAB's own fnmatch check sees the same names.
    SAFE_REDIRECT_HOSTS = ["127.0.0.1", "localhost"]
    FAB_SAFE_REDIRECT_HOSTS = SAFE_REDIRECT_HOSTS
    FAB_BASE_TEMPLATE = "base_layout.html"
    FAB_INDEX_VIEW = "app.core.views.HomeView"
    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    AUTH_RATE_LIMITED = True
    AUTH_RATE_LIMIT = "10 per 20 second"
    API_LOGIN_RATE_LIMIT = "10 per 20 second"
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    FAB_PASSWORD_COMPLEXITY_ENABLED = False
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(hours=1)
    JWT_ERROR_MESSAGE_KEY = "message"  # every /api error is {"message": ...}

    # i18n: Spanish by default, English selectable.
    BABEL_DEFAULT_LOCALE = "es"
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(BASE_DIR, "app", "translations")
    LANGUAGES = {
        "es": {"flag": "es", "name": "Español"},
        "en": {"flag": "gb", "name": "English"},
    }

    # No request body over this size (issue 8, finding 4): 413 with a message, JSON or page.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 2 * 1024 * 1024))
    # The largest uploaded file (issue 19), the same on every page and REST endpoint that takes
    # one (app/core/uploads.py): over it, 413 before the body is read; files stream to disk.
    MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", 20 * 1024 * 1024))

    # Uploaded files (app/core/storage.py): FILES_DIR, default <instance>/files/<company_id>/.
    FILES_DIR = os.environ.get("FILES_DIR") or None

    # Outgoing mail (app/core/mail.py): messages wait in the outbox table and `flask mail send`
    # (cron, e.g. every minute) delivers them through Flask-Mail over SMTP, retrying failures.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "").lower() in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "no-reply@localhost")
    MAIL_SUPPRESS_SEND = False  # Flask-Mail would otherwise suppress sending when TESTING
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30"))  # seconds per SMTP connection
    MAIL_RETRY_SECONDS = 60  # first retry after a failure; doubles each attempt...
    MAIL_RETRY_MAX_SECONDS = 6 * 3600  # ...up to this
    MAIL_CLAIM_SECONDS = 600  # a sender's lease on the messages it took (then others may retry)
    # Behind a reverse proxy: how many proxies' X-Forwarded-For to trust (werkzeug ProxyFix;
    # 0 = none: the client is the connection's peer). Rate limits and the audit use it.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))

    # Cookies and CSRF.
    WTF_CSRF_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = secrets.token_urlsafe(32)  # a new one per test run: nothing can be forged
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_SQLALCHEMY_DATABASE_URI", "sqlite://")
    # Tests log in hundreds of times from one address; tests/core/test_security.py
    # builds its own app with the production limits to prove them.
    AUTH_RATE_LIMIT = "10000 per second"
    API_LOGIN_RATE_LIMIT = "10000 per second"
    WTF_CSRF_ENABLED = False
    # Tests create thousands of users: a one-round hash instead of scrypt's ~80 ms each (the
    # production config keeps FAB's scrypt; tests/core/test_security.py checks it)
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"
    AUTH_DB_FAKE_PASSWORD_HASH_CHECK = "pbkdf2:sha256:1$salt$" + "0" * 64


class ProductionConfig(Config):
    ENV_NAME = "production"
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SAFE_REDIRECT_HOSTS = FAB_SAFE_REDIRECT_HOSTS = [
        h.strip() for h in os.environ.get("SAFE_REDIRECT_HOSTS", "").split(",") if h.strip()
    ] or ["localhost"]

    @classmethod
    def check(cls, app):
        """Refuse to start without the secrets production needs."""
        if not os.environ.get("SECRET_KEY", "").strip():
            raise RuntimeError(
                "APP_CONFIG=production necesita la variable de entorno SECRET_KEY "
                "(production requires the SECRET_KEY environment variable)."
            )
        if not os.environ.get("DATABASE_URL", "").strip():
            raise RuntimeError(
                "APP_CONFIG=production necesita DATABASE_URL (PostgreSQL)."
            )
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]


def instance_secret_key(directory: str) -> str:
    """The development secret key: random, made on first run in `directory` (instance/,
    git-ignored) with mode 600 and reused thereafter; never a constant written in the code
    (issue 8, finding 1)."""
    path = os.path.join(directory, "secret_key")
    os.makedirs(directory, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, encoding="ascii") as fh:
            key = fh.read().strip()
        if len(key) >= 32:
            return key
        os.chmod(path, 0o600)
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key


CONFIGS = {
    "development": Config,
    "testing": TestConfig,
    "production": ProductionConfig,
}
