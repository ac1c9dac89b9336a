"""Workflow engine (DESIGN "Platform core: Workflow engine").

A workflow YAML (seed/workflows/<code>.yaml) lists states (code, label, initial, final),
role labels, action labels and transitions (action, from, to, roles, guards, payload).
`Workflow` turns it into a strict python-statemachine `StateMachine` class and offers:

- `available_actions(obj, user)`: the transitions the user may fire on obj now (state,
  role, row-level ownership; guards are checked when the action is performed);
- `perform(obj, action, user, **payload)`: validate the payload, lock the row, check
  state, role, ownership and guards, run the transition and its effect, bump the version
  and write the audit entry, all in the caller's one transaction. Refusals raise
  ActionNotAllowed / ValidationError / Conflict with a message a person can read.

A module binds its model and rules with `workflow.bind(model, owns=..., guards=...,
effects=...)`; the engine knows no module.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from statemachine import State, StateMachine

from app.core import audit
from app.core.db import is_lock_failure, lock_row
from app.core.errors import ActionNotAllowed, Conflict, ValidationError
from app.core.formatting import KIND_FILLS, state_kind
from app.core.formatting import translated as _t
from app.core.identity import is_admin, role_names
from app.core.seeds import load_seed
from app.core.validation import validate_payload

STALE_MESSAGE = "El registro cambió mientras lo mirabas (otra persona actuó antes); recarga y vuelve a intentarlo."
WORKFLOW_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "seed", "workflows")


@dataclass(frozen=True)
class StateDef:
    """A state of the YAML; any key beyond code/label/initial/final (e.g. packaging's
    `area: 3`) is kept in `attrs` for the module to read."""

    code: str
    label: str
    initial: bool = False
    final: bool = False
    attrs: dict = field(default_factory=dict, hash=False, compare=False)

    @classmethod
    def from_yaml(cls, spec: dict) -> "StateDef":
        known = {"code", "label", "initial", "final"}
        return cls(spec["code"], spec.get("label", spec["code"]), bool(spec.get("initial")), bool(spec.get("final")),
                   {k: v for k, v in spec.items() if k not in known})


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str | None  # None: a read action, no state change
    roles: tuple[str, ...]  # FAB role names
    guards: tuple[str, ...] = ()
    payload: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def is_read(self) -> bool:
        return self.target is None


@dataclass
class Binding:
    model: type
    state_field: str = "state"
    owns: Callable[[Any, Any, set[str]], bool] | None = None
    guards: dict[str, Callable[..., str | None]] = field(default_factory=dict)
    effects: dict[str, Callable[..., None]] = field(default_factory=dict)


# --- the workflow ---------------------------------------------------------------------

class Workflow:
    def __init__(self, definition: dict):
        self.code: str = definition["code"]
        self.name: str = definition.get("name", self.code)
        self.version: int = int(definition.get("version", 1))
        self.states: dict[str, StateDef] = {s["code"]: StateDef.from_yaml(s) for s in definition["states"]}
        self.roles: dict[str, dict] = definition.get("roles", {}) or {}
        self.actions: dict[str, dict] = definition.get("actions", {}) or {}
        # the record's events outside the flow (an edit, a result, a file): label and summary
        self.events: dict[str, dict] = definition.get("events", {}) or {}
        self.transitions: list[Transition] = [self._transition(t) for t in definition["transitions"]]
        # a flow whose closed state can be reopened (calibration's AMEND) has states with no
        # path to a final one; it says so with `final_reachable: false`
        self.final_reachable: bool = bool(definition.get("final_reachable", True))
        self.machine_class = self._build_machine()
        self.binding: Binding | None = None

    @classmethod
    def from_yaml(cls, path: str) -> "Workflow":
        return cls(load_seed(path))

    def _role_name(self, code: str) -> str:
        return (self.roles.get(code) or {}).get("role", code)

    def _transition(self, t: dict) -> Transition:
        for key in ("from", "to"):
            if t.get(key) is not None and t[key] not in self.states:
                raise ValueError(f"{self.code}: unknown state {t[key]!r} in {t}")
        return Transition(
            action=t["action"],
            source=t["from"],
            target=t.get("to"),
            roles=tuple(self._role_name(r) for r in t.get("roles", [])),
            guards=tuple(t.get("guards", [])),
            payload=t.get("payload") or self.actions.get(t["action"], {}).get("payload") or {},
        )

    def _build_machine(self) -> type[StateMachine]:
        states = {
            code: State(s.label, value=code, initial=s.initial, final=s.final)
            for code, s in self.states.items()
        }
        attrs: dict[str, Any] = {f"s_{code}": st for code, st in states.items()}
        events: dict[str, Any] = {}
        for t in self.transitions:
            if t.is_read:
                continue
            source = states[t.source]
            edge = source.to.itself(event=t.action) if t.target == t.source else source.to(states[t.target], event=t.action)
            events[t.action] = edge if t.action not in events else events[t.action] | edge
        attrs.update({f"e_{action}": edge for action, edge in events.items()})
        attrs["validate_final_reachability"] = self.final_reachable
        return type(f"{self.code.title().replace('_', '')}Machine", (StateMachine,), attrs)

    # labels
    def state_label(self, code: str | None) -> str:
        return self.states[code].label if code in self.states else (code or "")

    def event_spec(self, action: str) -> dict:
        """An action's YAML, or an event's (`events:`; a key ending in `*` names every code
        that starts with it, e.g. `GESTION_*`), or {}."""
        spec = self.actions.get(action) or self.events.get(action)
        if spec is None:
            spec = next((v for k, v in self.events.items() if k.endswith("*") and action.startswith(k[:-1])), None)
        return spec or {}

    def action_label(self, action: str) -> str:
        """An action's label, or an event's, or the code itself."""
        return self.event_spec(action).get("label", action)

    def summary_keys(self, action: str) -> tuple[str, ...]:
        """The keys of an audit entry's data that name what an action or event did (its
        `summary:`, e.g. a result's measurand, nominal value and unit; issue 29 · 7)."""
        return tuple(self.event_spec(action).get("summary") or ())

    def role_label(self, code: str) -> str:
        return (self.roles.get(code) or {}).get("label", code)

    @property
    def initial_state(self) -> str:
        return next(code for code, s in self.states.items() if s.initial)

    @property
    def action_codes(self) -> list[str]:
        return list(dict.fromkeys(t.action for t in self.transitions))

    # binding
    def bind(self, model: type, **kwargs) -> "Workflow":
        """Attach the model and its rules; a guard or effect the YAML and the code do not
        agree on fails here, at start-up, not when a user clicks."""
        binding = Binding(model=model, **kwargs)
        missing = {g for t in self.transitions for g in t.guards} - set(binding.guards)
        if missing:
            raise ValueError(f"{self.code}: guards named in the YAML but not bound: {sorted(missing)}")
        unknown = set(binding.effects) - set(self.action_codes)
        if unknown:
            raise ValueError(f"{self.code}: effects for actions the YAML does not have: {sorted(unknown)}")
        self.binding = binding
        return self

    def state_of(self, obj) -> str:
        """The object's state code, read through the binding's `state_field`."""
        return getattr(obj, self.binding.state_field if self.binding else "state")

    def transitions_for(self, state: str, action: str | None = None) -> list[Transition]:
        return [t for t in self.transitions if t.source == state and (action is None or t.action == action)]

    def _matching_roles(self, t: Transition, user) -> set[str]:
        return role_names(user) & set(t.roles)

    def _owns(self, obj, user, roles: set[str]) -> bool:
        if self.binding is None or self.binding.owns is None:
            return True
        return bool(self.binding.owns(obj, user, roles))

    def available_actions(self, obj, user) -> list[Transition]:
        """Transitions `user` may fire on `obj` now: state, role (the matrix) and ownership."""
        out = []
        for t in self.transitions_for(self.state_of(obj)):
            roles = self._matching_roles(t, user)
            if roles and self._owns(obj, user, roles):
                out.append(t)
        return out

    def refusal(self, obj, action: str, user) -> Transition:
        """The transition `user` may fire, or ActionNotAllowed saying why not."""
        state = self.state_of(obj)
        candidates = self.transitions_for(state, action)
        if not candidates:
            raise ActionNotAllowed(
                f"La acción «{self.action_label(action)}» no está permitida en el estado «{self.state_label(state)}»."
            )
        for t in candidates:
            roles = self._matching_roles(t, user)
            if not roles:
                continue
            if not self._owns(obj, user, roles):
                raise ActionNotAllowed(
                    f"La acción «{self.action_label(action)}» solo puede hacerla quien tiene asignado este registro."
                )
            return t
        allowed = ", ".join(self.role_label(r) for r in dict.fromkeys(r for t in candidates for r in self._codes(t)))
        extra = " (tampoco el administrador: la matriz es la única autoridad)" if is_admin(user) else ""
        raise ActionNotAllowed(
            f"Tu rol no permite «{self.action_label(action)}» en el estado «{self.state_label(state)}»; "
            f"pueden hacerlo: {allowed}{extra}."
        )

    def _codes(self, t: Transition) -> list[str]:
        by_role = {self._role_name(code): code for code in self.roles}
        return [by_role.get(r, r) for r in t.roles]

    def perform(
        self, obj, action: str, user, *, session: Session, expected_version: int | None = None,
        payload: dict | None = None, today: dt.date | None = None, **fields,
    ):
        """Run `action` on `obj` as `user` in the caller's transaction (flushes, never commits).

        The action's input comes as keyword fields or as one `payload` dict (the API's);
        `today` (read where the request starts) is passed on to the guards and effects."""
        payload = {**(payload or {}), **fields}
        if action not in self.action_codes:
            raise ValidationError(
                f"Acción desconocida '{action}'. Acciones de este flujo: {', '.join(self.action_codes)}.",
                field="action",
            )
        try:
            self.refusal(obj, action, user)  # issue 9 #19: state, role, ownership before the payload
        except ActionNotAllowed:
            if expected_version is not None and obj.version != expected_version:
                raise Conflict(STALE_MESSAGE) from None  # what the caller saw has changed since
            raise
        specs = self.transitions_for_action(action)[0].payload
        clean = validate_payload(specs, payload)
        seen_version = obj.version if expected_version is None else expected_version
        model = type(obj)
        try:
            locked = lock_row(session, model, obj.id)
            if locked is None:
                raise Conflict("El registro ya no existe.")
            if locked.version != seen_version:
                raise Conflict(STALE_MESSAGE)
            self._apply(locked, self.refusal(locked, action, user), user, session=session, payload=clean,
                        today=today, seen_version=seen_version)
            session.flush()
        except DBAPIError as exc:
            session.rollback()
            if is_lock_failure(exc):
                raise Conflict(STALE_MESSAGE) from exc
            raise
        except StaleDataError as exc:
            session.rollback()
            raise Conflict(STALE_MESSAGE) from exc
        except Exception:
            session.rollback()
            raise
        return locked

    def _apply(self, locked, t: Transition, user, *, session: Session, payload: dict, today, seen_version: int) -> None:
        """On the locked row: the guards, the transition, its effect, the next version and the
        audit entry (a read action, e.g. VIEW_ORDER_HISTORY, changes and writes nothing; issue 9 #10)."""
        for name in t.guards:
            message = self.binding.guards[name](locked, user=user, session=session, payload=payload, today=today)
            if message:
                raise ActionNotAllowed(message)
        from_state = self.state_of(locked)
        if not t.is_read:
            self.machine_class(model=locked, state_field=self.binding.state_field).send(t.action)
        effect = self.binding.effects.get(t.action) if self.binding else None
        data = dict(payload)
        if effect:
            data.update(effect(locked, user=user, session=session, payload=payload, transition=t, today=today) or {})
        if t.is_read:
            return
        # the engine sets the next version; the mapper's version_id_col makes the UPDATE match
        # only the version read (a lost race is a StaleDataError)
        locked.version = seen_version + 1
        audit.record(
            session, entity=audit.entity_name(locked), entity_id=locked.id, company_id=locked.company_id,
            action=t.action, from_state=from_state, to_state=self.state_of(locked), data=data,
            workflow_version=self.version, user=user,
        )

    def transitions_for_action(self, action: str) -> list[Transition]:
        return [t for t in self.transitions if t.action == action]

    def table(self) -> list[tuple[str, str, str, str]]:
        """(from, action, to, roles) rows, for `flask workflow show` and the docs."""
        return [
            (t.source, t.action, t.target or "—", ", ".join(self._codes(t)) or "—")
            for t in self.transitions
        ]

    def dot(self) -> str:
        """The state diagram in Graphviz DOT: states, actions and roles by their labels, the
        codes in tooltips (issue 9, item 5)."""
        lines = [f'digraph "{self.code}" {{', "  rankdir=TB;", '  node [shape=box, style="rounded,filled", fillcolor="#f5f7fa", fontname="Helvetica"];',
                 '  edge [fontname="Helvetica", fontsize=10];']
        for code, s in self.states.items():
            attrs = f'label="{_t(s.label)}", tooltip="{code}", fillcolor="{KIND_FILLS[state_kind(self, code)]}"'
            if s.final:
                attrs += ", peripheries=2"
            lines.append(f'  "{code}" [{attrs}];')
        for t in self.transitions:
            if t.is_read:
                continue
            codes = self._codes(t)
            roles = ", ".join(_t(self.role_label(c)) for c in codes)
            tooltip = f"{t.action} · {', '.join(codes)}"
            label = _t(self.action_label(t.action)).replace('"', "'")
            lines.append(f'  "{t.source}" -> "{t.target}" [label="{label}\\n[{roles}]", tooltip="{tooltip}"];')
        lines.append("}")
        return "\n".join(lines)


_REGISTRY: dict[str, Workflow] = {}


def get_workflow(code: str) -> Workflow:
    """The workflow loaded from seed/workflows/<code>.yaml (one instance per process)."""
    if code not in _REGISTRY:
        _REGISTRY[code] = Workflow.from_yaml(os.path.join(WORKFLOW_DIR, f"{code}.yaml"))
    return _REGISTRY[code]


def register_workflow(workflow: Workflow) -> Workflow:
    _REGISTRY[workflow.code] = workflow
    return workflow


def all_workflows() -> list[Workflow]:
    for name in sorted(os.listdir(WORKFLOW_DIR)) if os.path.isdir(WORKFLOW_DIR) else []:
        if name.endswith(".yaml"):
            get_workflow(name[:-5])
    return list(_REGISTRY.values())
