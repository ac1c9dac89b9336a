"""The spec's endpoints at their old paths, for outside automations (issue 10 item 8; spec
calibrations-portal.md): /backend/calibraciones/<name>.php, JSON in and out, calling the same
services as the REST API and the pages (docs/legacy-endpoints.md). A POST's body is JSON or a
form as the old portal's jQuery pages send it (issue 21 item 13); every answer is JSON.

Authentication is the REST API's (Bearer JWT + X-Company-Id) or the browser session, which
must then send the CSRF token (X-CSRFToken header or `csrf_token` form field) on every POST. Roles and ownership are
the services' and the workflow's; an order of another company is a 404 like anywhere else.
/servicio/ot is gone (410) and names its replacement."""
from __future__ import annotations

from flask import current_app, jsonify, request
from flask_appbuilder.api import BaseApi
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DataError, IntegrityError

from app.calibration.certificates import services as certificates
from app.calibration.certificates.api import certificate_json
from app.calibration.orders import execution, queries, services
from app.calibration.orders.workflow import WF, company_technicians
from app.core.api import api_endpoint
from app.core.commands import run as run_command
from app.core.constraints import explain
from app.core.context import request_today
from app.core.errors import DomainError, ValidationError
from app.core.identity import current_user
from app.core.legacy import LegacyAnswers, call_input, register_paths
from app.core.pages import rollback_after
from app.core.tenancy import active_company
from app.core.validation import Checker, boolean, choice, date, integer
from app.extensions import csrf, db

BASE = "/backend/calibraciones"
REPLACEMENT = f"{BASE}/update_work_order.php"
CLOSED_WORDS = {"CLOSED", "CERRADA", "CERRAR", "CLOSE"}
ACTION_ERRORS = (403, 404, 409, 422)  # a workflow action: 409 when someone acted first


def _args() -> dict:
    """The call's input (app/core/legacy.py call_input): the query string, and on POST a JSON
    object or a form as the old portal's jQuery pages post it (`technicians[]=12`); a lone
    form value of a list field (`technicians=12`) is that one-item list."""
    data = call_input()
    if isinstance(data.get("technicians"), str):
        data["technicians"] = [data["technicians"]]
    return data


def _order_id(data: dict) -> int:
    raw = data.get("order_id", data.get("id"))
    return integer(raw, "order_id", _l("Orden"), min=1, max=2**31 - 1)


def _ok(status: int = 200, **body):
    response = jsonify({"ok": True, **body})
    response.status_code = status
    return response


class LegacyCalibrationApi(LegacyAnswers, BaseApi):
    """/backend/calibraciones/*.php. Permission: read on CalibrationOrder (every calibration
    role); what each call may change is decided by the services and the workflow."""

    route_base = BASE
    resource_name = "calibraciones"
    class_permission_name = "CalibrationOrder"
    allow_browser_login = True
    method_permission_name = {name: "read" for name in (
        "list_calibrations", "update_work_order", "list_technicians", "update_logistics", "calibrations",
        "approve_calibration", "reject_calibration", "share_certificate")}

    def _guarded(self, fn, *args, **kwargs):
        """api_endpoint's guard (app/core/api.py answers_errors), answering with "ok": false."""
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            rollback_after(exc)
            return self.response(exc.status, ok=False, **exc.to_dict())
        except (IntegrityError, DataError) as exc:
            db.session.rollback()
            error = explain(exc, _args())
            return self.response(422, ok=False, **error.to_dict())

    def _order(self, data: dict, details: bool = False):
        return queries.get_order(session=db.session, user=current_user(), order_id=_order_id(data), details=details)

    def _act(self, action: str, payload: dict | None = None):
        data = _args()
        order = self._order(data)
        done = run_command(services.perform, order=order, action=action, payload=payload if payload is not None else {})
        return done

    @api_endpoint("/list_calibrations.php", methods=["GET", "POST"], errors=(403, 422),
                  summary="Las órdenes de la empresa que quien llama ve, con los filtros de la pantalla de gestión",
                  answers={200: "ok, total, page y orders"})
    def list_calibrations(self):
        """The company's orders the caller sees, with the management screen's filters."""
        data = _args()
        check = Checker()
        state = check(choice, data.get("state") or None, "state", _l("Estado"), choices=list(WF.states),
                      required=False)
        filters = dict(
            state=state,
            instrument_id=check(integer, data.get("instrument_id"), "instrument_id", _l("Instrumento"), required=False),
            technician_id=check(integer, data.get("technician_id"), "technician_id", _l("Técnico"), required=False),
            date_from=check(date, data.get("date_from"), "date_from", _l("Desde"), required=False),
            date_to=check(date, data.get("date_to"), "date_to", _l("Hasta"), required=False),
            overdue=check(boolean, data.get("overdue", False), "overdue", _l("Vencidas")),
        )
        page = check(integer, data.get("page", 0), "page", _l("Página"), min=0, max=100000)
        size = check(integer, data.get("page_size", 25), "page_size", _l("Tamaño de página"), min=1, max=100)
        check.done()
        user = current_user()
        stmt = queries.visible_orders(user=user, today=request_today(), **filters)
        rows, total = queries.list_page(db.session, stmt, page=page, page_size=size)
        return _ok(total=total, page=page, orders=[queries.order_to_dict(o, user=user, details=False) for o in rows])

    @api_endpoint("/update_work_order.php", methods=["POST"], errors=ACTION_ERRORS,
                  summary="Fechas objetivo, ventana, técnicos, notas y observaciones, y opcionalmente una acción; "
                          "«state»: «Cerrada» cierra la orden", answers={200: "ok y la orden"})
    def update_work_order(self):
        """Target dates, window, technicians, notes, observations, and optionally an action;
        `"state": "Cerrada"` (or "CLOSED") closes the order, as the spec's form did."""
        data = _args()
        order = self._order(data)
        fields = {k: v for k, v in data.items() if k not in ("id", "order_id", "state", "estado")}
        wanted = str(data.get("state") or data.get("estado") or "").strip().upper()
        if wanted:
            if wanted not in CLOSED_WORDS:
                raise ValidationError(str(_l("El estado solo puede cambiarse a «Cerrada» por esta vía; las "
                                          "demás transiciones usan «action».")), field="state")
            fields["action"] = "CLOSE"
        done = run_command(services.update_work_order, order=order, data=fields)
        return _ok(order=queries.order_to_dict(done, user=current_user(), details=False))

    @api_endpoint("/list_technicians.php", methods=["GET", "POST"], errors=(403,),
                  summary="Los técnicos de calibración (CAL_TECNICO) de la empresa",
                  answers={200: "ok y technicians: id, nombre y usuario"})
    def list_technicians(self):
        """The company's CAL_TECNICO users (those the work-order form offers)."""
        company = active_company(db.session)
        people = company_technicians(db.session, company_id=company.id) if company else []
        return _ok(technicians=[{"id": u.id, "name": queries.person(u), "username": u.username} for u in people])

    @api_endpoint("/update_logistics.php", methods=["POST"],
                  summary="Un evento logístico de un equipo externo (enviado, en tránsito, recibido)",
                  answers={201: "ok y el evento registrado"})
    def update_logistics(self):
        """A logistics event of external equipment (shipped, in transit, received)."""
        data = _args()
        order = self._order(data)
        fields = {k: v for k, v in data.items() if k not in ("id", "order_id")}
        event = run_command(execution.add_logistics, order=order, data=fields)
        return _ok(201, logistics=queries.logistics_to_dict(event))

    @api_endpoint("/calibrations.php", methods=["GET", "POST"], errors=(403, 404, 422),
                  summary="GET: una orden con su avance, resultados, evidencias y logística; POST: una entrada de "
                          "avance (fecha, texto)", answers={200: "GET: ok y la orden", 201: "POST: ok y el avance"})
    def calibrations(self):
        """GET: one order with its progress, results, evidence and logistics; POST: a
        progress entry (date, text), the spec's "progreso interno"."""
        data = _args()
        if request.method == "GET":
            order = self._order(data, details=True)
            return _ok(order=queries.order_to_dict(order, user=current_user()))
        order = self._order(data)
        fields = {k: v for k, v in data.items() if k not in ("id", "order_id")}
        entry = run_command(execution.add_progress, order=order, data=fields)
        return _ok(201, progress=queries.progress_to_dict(entry))

    @api_endpoint("/approve_calibration.php", methods=["POST"], errors=ACTION_ERRORS,
                  summary="APPROVE (supervisor; lista de revisión completa, evidencias, revisor independiente)",
                  answers={200: "ok y la orden"})
    def approve_calibration(self):
        """APPROVE (supervisor; checklist complete, evidence, independent reviewer)."""
        done = self._act("APPROVE")
        return _ok(order=queries.order_to_dict(done, user=current_user(), details=False))

    @api_endpoint("/reject_calibration.php", methods=["POST"], errors=ACTION_ERRORS,
                  summary="REJECT con su motivo (reason): la orden vuelve a ejecución", answers={200: "ok y la orden"})
    def reject_calibration(self):
        """REJECT with its `reason` (back to execution)."""
        reason = _args().get("reason", _args().get("motivo"))
        done = self._act("REJECT", {"reason": reason} if reason is not None else {})
        return _ok(order=queries.order_to_dict(done, user=current_user(), details=False))

    @api_endpoint("/share_certificate.php", methods=["POST"], errors=ACTION_ERRORS,
                  summary="Publicar el certificado y avisar a los contactos (una orden aprobada emite antes su "
                          "certificado)", answers={200: "ok, la orden y el certificado"})
    def share_certificate(self):
        """Publish the certificate and notify the contacts; an approved order gets its
        certificate issued first (ISSUE_CERTIFICATE then SHARE_CERTIFICATE, one transaction)."""
        def share(*, session, user, today, order):
            if order.state == "APPROVED":
                order = services.perform(session=session, user=user, order=order, action="ISSUE_CERTIFICATE",
                                         payload={}, today=today)
            return services.perform(session=session, user=user, order=order, action="SHARE_CERTIFICATE",
                                    payload={}, today=today)

        order = run_command(share, order=self._order(_args()))
        cert = certificates.current(db.session, order)
        return _ok(order=queries.order_to_dict(order, user=current_user(), details=False), certificate=certificate_json(cert))


def servicio_ot(**_):
    """/servicio/ot: 410 Gone, naming the path that replaced it."""
    body = {"ok": False, "message": str(_l("El endpoint /servicio/ot ya no se utiliza: use %(path)s.", path=REPLACEMENT)),
            "replacement": REPLACEMENT}
    return jsonify(body), 410


def register_legacy(appbuilder) -> None:
    """The old paths: /backend/calibraciones/*.php (LegacyCalibrationApi, in the manifest's
    APIs) and /servicio/ot, gone."""
    app = current_app._get_current_object()
    register_paths(app, BASE + "/", error_keys={"ok": False})  # app/core/legacy.py: JWT + X-Company-Id, or
    # session + CSRF; every answer JSON, errors {"ok": false, "message", "field"}
    app.add_url_rule("/servicio/ot", "legacy_servicio_ot", servicio_ot,
                     methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    app.add_url_rule("/servicio/ot/<path:rest>", "legacy_servicio_ot_rest", servicio_ot,
                     methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    csrf.exempt(servicio_ot)
