"""CASCADA DE CAMPOS: which options each level of the OT form offers (CASC-001), whether a
combination is allowed and what the next level offers (CASC-002), and the check an OT's
product fields pass when saved (page, REST, CLI alike).

An option is offered when it is active and some active combination of
relacion_filtro_ingresos_principales has it together with every level chosen so far. The
queries are EXISTS over the combination's unique key, whose columns are in cascade order, so
each one is an index probe whatever the size of the table."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, literal, select, union_all
from sqlalchemy.orm import Session

from app.core.errors import ValidationError
from app.core.validation import record_id, typed_int
from app.packaging.cascade.models import BY_FIELD, LEVELS, Combination, Level

MESSAGES = {
    "unknown": _l("La opción indicada en «%(label)s» no existe."),
    "inactive": _l("La opción «%(option)s» de «%(label)s» está desactivada."),
    "combination": _l("«%(option)s» en «%(label)s» no es una combinación permitida con lo elegido antes."),
    "order": _l("Elige «%(label)s» antes de «%(later)s»: los campos del producto se completan en orden."),
    "level": _l("El nivel «%(value)s» no existe. Niveles: %(levels)s."),
    "unknown_key": _l("Campo desconocido «%(name)s». Campos admitidos: %(allowed)s."),
}
ALIASES = {key: lv for lv in LEVELS for key in (lv.column, lv.legacy)}
IGNORED = {"_token", "csrf_token"}


def _say(kind: str, **params) -> str:
    return str(MESSAGES[kind]) % {k: str(v) for k, v in params.items()}


def level_of(name) -> Level:
    """The level called `name` (the OT's field, e.g. "printing")."""
    if name not in BY_FIELD:
        raise ValidationError(_say("level", value=name, levels=", ".join(BY_FIELD)), field="level")
    return BY_FIELD[name]


def parse_levels(data: dict, *, strict: bool = True) -> tuple[dict[Level, int], dict[Level, str]]:
    """The levels a request chose: keys are the combination's columns (product_type_id,
    printing_id, ...) or the spec's names (impresion_id, cinta_id, planta_id); blank = not
    chosen. Returns {level: id} and {level: the key the caller used} (errors name it)."""
    chosen, keys = {}, {}
    for key, raw in data.items():
        level = ALIASES.get(key)
        if level is None:
            if strict and key not in IGNORED:
                raise ValidationError(_say("unknown_key", name=key, allowed=", ".join(lv.legacy for lv in LEVELS)),
                                      field=str(key))
            continue
        keys[level] = key
        if raw not in (None, ""):
            chosen[level] = record_id(raw, key, level.label)
    return chosen, keys


def _load(session: Session, chosen: dict[Level, int], keys: dict[Level, str] | None = None) -> dict:
    """The option rows chosen, {level: (id, label, active)}, in one query (a UNION over the
    levels' tables); 422 naming the field for an id that does not exist."""
    if not chosen:
        return {}
    parts = [select(literal(LEVELS.index(lv)).label("level"), lv.model.id, lv.model.label, lv.model.active)
             .where(lv.model.id == pk) for lv, pk in chosen.items()]
    found = {LEVELS[row.level]: row for row in session.execute(union_all(*parts) if len(parts) > 1 else parts[0])}
    for level in LEVELS:
        if level in chosen and level not in found:
            raise ValidationError(_say("unknown", label=level.label), field=(keys or {}).get(level, level.field))
    return found


def _match(chosen: dict[Level, int]):
    return [Combination.active.is_(True), *[getattr(Combination, lv.column) == pk for lv, pk in chosen.items()]]


def _allowed(session: Session, chosen: dict[Level, int]) -> bool:
    return bool(session.scalar(select(exists().where(and_(*_match(chosen))))))


def offered(session: Session, level: Level, chosen: dict[Level, int]) -> list[dict]:
    """CASC-001: the active options of `level` in an active combination with `chosen`."""
    model, others = level.model, {lv: pk for lv, pk in chosen.items() if lv is not level}
    column = getattr(Combination, level.column)
    stmt = (select(model.id, model.label)
            .where(model.active.is_(True), exists().where(and_(column == model.id, *_match(others))))
            .order_by(model.label, model.id))
    return [{"id": pk, "label": label} for pk, label in session.execute(stmt)]


def options(session: Session, level_name, data: dict) -> dict:
    """GET options of one level: every earlier level must be chosen (the form enables a
    select only then); later levels given are ignored."""
    level = level_of(level_name)
    chosen, keys = parse_levels(data)
    index = LEVELS.index(level)
    for earlier in LEVELS[:index]:
        if earlier not in chosen:
            raise ValidationError(_say("order", label=earlier.label, later=level.label), field=earlier.column)
    before = {lv: pk for lv, pk in chosen.items() if LEVELS.index(lv) < index}
    for lv, row in _load(session, before, keys).items():
        if not row.active:
            raise ValidationError(_say("inactive", option=row.label, label=lv.label), field=keys[lv])
    return {"level": level.field, "label": str(level.label), "options": offered(session, level, before)}


def _first_refusal(session: Session, chosen: dict[Level, int], rows: dict) -> tuple[Level, str] | None:
    """The first level (in cascade order) whose option is inactive or breaks the combination
    with the levels chosen before it, and why; None when the whole choice is allowed."""
    so_far: dict[Level, int] = {}
    for level in LEVELS:
        if level not in chosen:
            continue
        so_far[level] = chosen[level]
        row = rows[level]
        if not row.active:
            return level, _say("inactive", option=row.label, label=level.label)
        if not _allowed(session, so_far):
            return level, _say("combination", option=row.label, label=level.label)
    return None


def verify(session: Session, data: dict) -> dict:
    """CASC-002 (POST /postVerificacionFiltro): is the combination allowed (active options in
    an active combination), and the next level to fill with its options. Refused: `next` is
    the first failing level with what it allows given the levels before it."""
    chosen, keys = parse_levels(data)
    rows = _load(session, chosen, keys)
    all_active = all(row.active for row in rows.values())
    if all_active and (not chosen or _allowed(session, chosen)):
        missing = next((lv for lv in LEVELS if lv not in chosen), None)
        if missing is None:
            return {"valid": True, "next": {"field": None, "level": None, "label": None, "options": []}}
        return {"valid": True, "next": _next(missing, offered(session, missing, chosen))}
    level, why = _first_refusal(session, chosen, rows)
    before = {lv: pk for lv, pk in chosen.items() if LEVELS.index(lv) < LEVELS.index(level)}
    return {"valid": False, "message": why, "field": keys.get(level, level.legacy),
            "next": _next(level, offered(session, level, before))}


def _next(level: Level, opts: list[dict]) -> dict:
    return {"field": level.legacy, "level": level.field, "label": str(level.label), "options": opts}


def check_order(session: Session, values: dict[str, int | None]) -> None:
    """Saving an OT: its product fields ({field: option id or None}, all eight) are a prefix
    of the cascade (no level chosen after an empty one) whose options exist, are active and
    are in an active combination. 422 naming the first failing field; nothing is written."""
    chosen = {BY_FIELD[f]: pk for f, pk in values.items() if pk is not None}
    for i, level in enumerate(LEVELS):
        if level not in chosen:
            later = next((lv for lv in LEVELS[i + 1:] if lv in chosen), None)
            if later is not None:
                raise ValidationError(_say("order", label=level.label, later=later.label), field=level.field)
    rows = _load(session, chosen)
    if not chosen or (all(r.active for r in rows.values()) and _allowed(session, chosen)):
        return
    level, why = _first_refusal(session, chosen, rows)
    raise ValidationError(why, field=level.field)


def form_levels(session: Session, values: dict) -> list[dict]:
    """The eight selects of the OT form: each enabled when every earlier one has a value,
    offering what CASC-001 allows (plus the OT's current option, so an edit keeps it)."""
    out, chosen, enabled = [], {}, True
    for level in LEVELS:
        raw = values.get(level.field)
        value = typed_int(raw)
        opts = offered(session, level, chosen) if enabled else []
        if value is not None and enabled and all(o["id"] != value for o in opts):
            row = session.get(level.model, value)
            if row is not None:
                opts.append({"id": row.id, "label": row.label})
        out.append({"field": level.field, "param": level.legacy, "label": level.label, "options": opts,
                    "enabled": enabled, "value": value if enabled else None})
        if value is None or not enabled:
            enabled = False
        else:
            chosen[level] = value
    return out
