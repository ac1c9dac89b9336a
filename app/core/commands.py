"""One request boundary (issue 20 point 2): a user action runs one service command in one
transaction. `run(command, **arguments)` gives the command what the request read once where
it started (the session, the user, the active company, the company's today: the keyword
arguments its signature names and the caller did not give), commits once when it returns,
and on any error rolls back (keeping a refusal's `aftermath`, app/core/pages.py) and raises
again for the page or the API to answer. Services keep their keyword-only signature and
import nothing from Flask."""
from __future__ import annotations

import datetime as dt
import inspect
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.context import request_today
from app.core.identity import current_user
from app.core.pages import rollback_after
from app.core.tenancy import Company, active_company
from app.extensions import db


@dataclass(frozen=True)
class RequestContext:
    """What a command may be given: read once per request, never by the services."""

    session: Session
    user: object
    company: Company | None
    today: dt.date


def request_context() -> RequestContext:
    return RequestContext(session=db.session, user=current_user(), company=active_company(db.session),
                          today=request_today())


def run(command, /, **arguments):
    """Run `command` as one user action of the request: its context filled in, one commit, or
    a rollback and the error raised again."""
    return run_in(request_context(), command, **arguments)


def run_in(context: RequestContext, command, /, **arguments):
    """`run` with a context given by the caller (a job, the CLI, a test's world)."""
    wanted = inspect.signature(command).parameters
    given = {name: getattr(context, name) for name in ("session", "user", "company", "today")
             if name in wanted and name not in arguments}
    try:
        result = command(**given, **arguments)
        context.session.commit()
    except BaseException as exc:
        rollback_after(exc)
        raise
    return result
