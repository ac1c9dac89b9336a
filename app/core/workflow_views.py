"""Workflow pages of every module (issue 7 item 1): the buttons of
`available_actions(obj, user)`, the action forms built from the YAML's payload fields, the
POST endpoint that performs an action and the timeline.

A module subclasses `WorkflowActionsView`, sets `workflow`, and implements `get_object`
(the visible record or NotFound), `details_response` (its page, rendered with
`workflow_context(...)` so that templates/workflow/_actions.html can draw the actions) and,
when its forms need them, `field_options` and `field_values`. Button style and confirmation
come from the YAML (`style: danger`, `confirm: ...`), the success message from the action's
`done: "Orden {number} aceptada"` (formatted with `message_fields(obj)`)."""
from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from flask import flash, redirect, request
from flask_appbuilder import BaseView, expose, has_access

from app.core import idempotency
from app.core.commands import request_context, run_in
from app.core.errors import DomainError, NotFound
from app.core.formatting import translated
from app.core.identity import current_user
from app.core.pages import errors_by_field
from app.core.validation import typed_int


def safe_next(target: str | None) -> str | None:
    """A local path to go back to, or None: never another host (`//evil`, `\\evil`,
    `http://...`, userinfo tricks)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target


def form_payload(specs: dict, form) -> dict:
    """The action's payload from a posted form, field by field as the YAML declares them:
    `ids` from a multiple select, `object` from one `<name>-<option id>` input per option
    (e.g. a quantity per equipment), every other type from one input."""
    payload = {}
    for name, spec in specs.items():
        kind = spec.get("type", "string")
        if kind == "ids":
            payload[name] = [v for v in form.getlist(name) if v]
        elif kind == "object":
            prefix = f"{name}-"
            payload[name] = {key[len(prefix):]: value.strip() for key, value in form.items()
                             if key.startswith(prefix) and value.strip() not in ("", "0")}
        else:
            payload[name] = form.get(name, "")
    return payload


def typed_values(specs: dict, payload: dict) -> dict:
    """What the user typed, shaped as the form fields read it back (ids as integers)."""
    values = dict(payload)
    for name, spec in specs.items():
        value = payload.get(name)
        if spec.get("type") == "ids":
            values[name] = [typed_int(v) for v in value or [] if typed_int(v) is not None]
        elif spec.get("type") == "object":
            values[name] = {typed_int(k): v for k, v in (value or {}).items() if typed_int(k) is not None}
        elif spec.get("type") == "integer" and typed_int(value) is not None:
            values[name] = typed_int(value)
    return values


class WorkflowActionsView(BaseView):
    """Base of a module's workflow pages (see the module docstring)."""

    workflow = None  # app.core.workflow.Workflow, bound to the module's model
    method_permission_name = {"act": "read"}  # the matrix, not FAB, says who may act

    # --- what the module provides ---------------------------------------------------
    def get_object(self, pk: int, *, details: bool = False):
        raise NotImplementedError

    def details_response(self, obj, *, form_state: dict | None = None, status: int = 200):
        """The record's page with its actions (form_state: the open form after an error)."""
        raise NotImplementedError

    def field_options(self, fields: set[str], obj) -> dict:
        """{field: [(value, label)]} for the fields that choose among rows (selects)."""
        return {}

    def field_values(self, action: str, obj) -> dict:
        """Initial values of an action's form (e.g. an edit form starts from the record)."""
        return {}

    def message_fields(self, obj) -> dict:
        return {"id": obj.id}

    default_done = "{action}: «{state}»."  # when the YAML's action has no `done:` sentence

    def done_message(self, obj, action: str) -> str:
        """What happened, in the user's words: the action's `done:` of the YAML (e.g. "Orden
        {number} aceptada"), else `default_done`, formatted with `message_fields(obj)`."""
        wf = self.workflow

        template = translated((wf.actions.get(action) or {}).get("done") or self.default_done)
        fields = {"action": translated(wf.action_label(action)), "state": translated(wf.state_label(wf.state_of(obj))),
                  **self.message_fields(obj)}
        return str(template).format(**fields)

    def after_action(self, obj, action: str, next_url: str | None):
        """Where to go after a successful action: back where the user came from (a local
        `next`, e.g. the board), else the record's page, else (gone) `gone_url()`."""
        if next_url:
            return redirect(next_url)
        return redirect(self.details_url(obj) if obj is not None else self.gone_url())

    def gone_url(self) -> str:
        return "/"

    def read_action_response(self, obj, action: str):
        """The page of a read action (no state change), e.g. the full history."""
        return self.details_response(obj)

    def details_url(self, obj) -> str:
        raise NotImplementedError

    # --- what the templates draw -------------------------------------------------------
    def workflow_context(self, obj, *, form_state: dict | None = None, act_endpoint: str) -> dict:
        """Everything templates/workflow/_actions.html needs for `obj` and the current user."""
        wf = self.workflow
        actions = [t.action for t in wf.available_actions(obj, current_user())]
        specs = {a: (wf.actions.get(a) or {}).get("payload") or {} for a in actions}
        fields = {name for spec in specs.values() for name in spec}
        state = form_state or {}
        forms = {}
        for action in actions:
            mine = state.get("action") == action
            forms[action] = {
                "spec": specs[action],
                "values": state.get("values", {}) if mine else self.field_values(action, obj),
                "errors": state.get("errors", {}) if mine else {},
                "message": state.get("message") if mine else None,
                "open": mine,
                "style": (wf.actions.get(action) or {}).get("style", "primary"),
                "confirm": (wf.actions.get(action) or {}).get("confirm"),
                "key": uuid.uuid4().hex,  # one idempotency key per rendered form
            }
        return dict(
            wf=wf, obj=obj, actions=actions, forms=forms, options=self.field_options(fields, obj),
            act_endpoint=act_endpoint, next_url=safe_next(request.args.get("next")),
            state_code=wf.state_of(obj), general_error=state.get("message") if not forms.get(state.get("action"), {}).get("spec") else None,
        )

    # --- the POST endpoint ----------------------------------------------------------------
    @expose("/<int:pk>/accion/<action>", methods=["POST"])
    @has_access
    def act(self, pk, action):
        return self.perform_from_form(pk, action)

    def perform_from_form(self, pk: int, action: str):
        """Perform `action` from its form: the version seen (stale: 409), the payload typed,
        one idempotency key per rendered form (a double submit acts once). On a refusal the
        page comes back with the form open, what was typed, and each error beside its field."""
        wf = self.workflow
        specs = wf.transitions_for_action(action)[0].payload if action in wf.action_codes else {}
        payload = form_payload(specs, request.form)
        version = request.form.get("version", "")
        next_url = safe_next(request.form.get("next"))
        context = request_context()
        is_read = action in wf.action_codes and wf.transitions_for_action(action)[0].is_read
        try:
            key = None if is_read else idempotency.clean_key(request.form.get("idempotency_key"))
            obj = self.get_object(pk)

            def act():
                done = wf.perform(obj, action, context.user, session=context.session, payload=payload,
                                  today=context.today, expected_version=typed_int(version))
                return 200, {"message": self.done_message(done, action), "id": done.id}

            _status, body, replayed = run_in(context, idempotency.once, key=key, request=f"POST {request.path}", action=act)
        except NotFound:
            raise
        except DomainError as exc:
            beside, above = errors_by_field(exc, specs)
            obj = self.get_object(pk, details=True)
            state = {"action": action, "values": typed_values(specs, payload), "errors": beside, "message": above}
            return self.details_response(obj, form_state=state, status=exc.status)
        obj = self.get_object(pk, details=True) if not self.is_gone(body["id"]) else None
        if is_read:
            return self.read_action_response(obj, action)
        flash(body["message"], "info" if replayed else "success")
        return self.after_action(obj, action, next_url)

    def is_gone(self, pk: int) -> bool:
        """True when the action took the record out of the user's sight (e.g. a soft delete)."""
        try:
            self.get_object(pk)
        except NotFound:
            return True
        return False
