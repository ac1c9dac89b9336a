"""Catalogs of operator certifications (spec §3.1-3.4; DESIGN "Operator certifications"). Plain
functions with keyword-only arguments; a refusal raises a DomainError whose Spanish message
names the field or the rule, before anything is flushed.

- CERT-CAT-1  catalogs: required names, unique codes; an inactive item is not chosen for new
              records; deactivate, never delete, what has history (spec §3.1-3.4).
"""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.certification.catalogs.models import (
    FIELD_LABELS,
    Auditor,
    Certification,
    Operator,
    ProductAuditType,
)
from app.core import validation as v
from app.core.errors import ValidationError
from app.core.models import Model

# --- input (app/core/validation.py: one sentence per kind of mistake, naming the label) ----

def visible(session: Session, model, pk, field: str):
    """The row `pk` of `model` in the active company, or a 422 naming the field's label."""
    return v.visible(session, model, pk, field, FIELD_LABELS[field])


# What refers to each catalog, by model and column: assignments and inspections sit above the
# catalogs, so they are named here, as a string relationship names them, and found in the models'
# registry when asked.
HISTORY_OF = {
    Operator: ("CertificationAssignment", "operator_id", "el operario tiene asignaciones"),
    Certification: ("CertificationAssignment", "certification_id", "la certificación tiene asignaciones"),
    ProductAuditType: ("Inspection", "audit_type_id", "el tipo de auditoría tiene inspecciones"),
    Auditor: ("Inspection", "auditor_id", "el auditor tiene inspecciones"),
}


def validate_catalog_item(*, session: Session, item) -> None:
    """CERT-CAT-1: names are required; a code is unique in the company; an audit type belongs
    to an active certification and does not change certification once it has inspections."""
    required = ("first_name", "last_name") if isinstance(item, (Operator, Auditor)) else ("name",)
    for name in required:
        setattr(item, name, v.text(getattr(item, name), name, FIELD_LABELS[name], required=True,
                                   column=getattr(type(item), name)))
    if isinstance(item, (Operator, Auditor)):
        item.code = v.text(item.code, "code", FIELD_LABELS["code"], column=type(item).code) or None
        if item.code:
            model = type(item)
            clash = session.scalar(
                select(model.id).where(model.code == item.code, model.id != (item.id or 0))
            )
            if clash:
                raise ValidationError(f"Ya existe otro registro con el código '{item.code}'.", field="code")
    else:
        item.description = v.text(item.description, "description", FIELD_LABELS["description"], column=type(item).description)
    if isinstance(item, ProductAuditType):
        certification = item.certification
        if certification is None:
            raise ValidationError("El campo 'certification' es obligatorio.", field="certification")
        with session.no_autoflush:
            changed = audit_type_certification_changed(session, item)
        if (item.id is None or changed) and not certification.active:
            raise ValidationError(
                f"La certificación '{certification.name}' está inactiva: no admite nuevos tipos de auditoría.",
                field="certification",
            )
        if changed and item.id is not None and _has_history(session, item):
            raise ValidationError(
                "No se puede cambiar la certificación de un tipo de auditoría con inspecciones.",
                field="certification",
            )


def audit_type_certification_changed(session: Session, item: ProductAuditType) -> bool:
    if item.id is None:
        return True
    stored = session.scalar(
        select(ProductAuditType.certification_id).where(ProductAuditType.id == item.id)
    )
    return stored != (item.certification.id if item.certification else item.certification_id)


def _has_history(session: Session, item) -> bool:
    model, column, _ = HISTORY_OF[type(item)]
    referring = next(m.class_ for m in Model.registry.mappers if m.class_.__name__ == model)
    return bool(session.scalar(select(exists().where(getattr(referring, column) == item.id))))


def check_deletable(*, session: Session, item) -> None:
    """CERT-CAT-1: what has history is deactivated, never deleted."""
    if type(item) in HISTORY_OF and _has_history(session, item):
        raise ValidationError(
            f"No se puede borrar: {HISTORY_OF[type(item)][2]}. Desactívalo para conservar el histórico.",
            field="active",
        )
