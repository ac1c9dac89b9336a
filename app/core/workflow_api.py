"""Workflow definitions for integrators (issue 9, item 18): GET /api/v1/workflow/ and
GET /api/v1/workflow/<name>: states, transitions, roles and their labels, read-only."""
from __future__ import annotations

from flask_appbuilder.api import BaseApi

from app.core.api import GuardedApi, api_endpoint
from app.core.formatting import state_kind
from app.core.workflow import all_workflows


def describe(workflow) -> dict:
    """One workflow as data: codes for machines, labels for people."""
    return {
        "name": workflow.code,
        "label": workflow.name,
        "version": workflow.version,
        "states": [
            {"code": s.code, "label": s.label, "initial": s.initial, "final": s.final,
             "kind": state_kind(workflow, s.code)}
            for s in workflow.states.values()
        ],
        "roles": [
            {"code": code, "label": spec.get("label", code), "role": spec.get("role", code)}
            for code, spec in workflow.roles.items()
        ],
        "transitions": [
            {"action": t.action, "label": workflow.action_label(t.action), "from": t.source, "to": t.target,
             "roles": workflow._codes(t), "guards": list(t.guards), "payload": sorted(t.payload),
             "fields": [_field(name, spec) for name, spec in t.payload.items()]}
            for t in workflow.transitions
        ],
    }


def _field(name: str, spec: dict) -> dict:
    """A payload field for integrators: type, label, required and, for a choice, each stable
    ASCII code with its Spanish label (issue 9, item 19)."""
    out = {"name": name, "type": spec.get("type", "string"), "label": spec.get("label", name),
           "required": bool(spec.get("required"))}
    choices = spec.get("choices")
    if choices:
        pairs = choices.items() if isinstance(choices, dict) else ((c, c) for c in choices)
        out["choices"] = [{"code": code, "label": label} for code, label in pairs]
    return out


class WorkflowApi(GuardedApi, BaseApi):
    resource_name = "workflow"
    class_permission_name = "Workflow"
    method_permission_name = {"get_list": "read", "get": "read"}
    openapi_spec_tag = "Workflow"

    @api_endpoint("/", summary="Flujos de trabajo", answers={200: "Los flujos: código, nombre y versión"}, errors=())
    def get_list(self):
        """Every workflow: name, label, version."""
        return self.response(200, result=[
            {"name": w.code, "label": w.name, "version": w.version} for w in all_workflows()
        ])

    @api_endpoint("/<name>", summary="Un flujo de trabajo", answers={200: "El flujo: estados, transiciones, roles y sus etiquetas"})
    def get(self, name):
        """One workflow: states, transitions, roles, labels."""
        workflow = next((w for w in all_workflows() if w.code == name), None)
        if workflow is None:
            return self.response(404, message=f"No existe el flujo '{name}'.")
        return self.response(200, result=describe(workflow))
