"""Core sequences (issue 7 item 3): gap-free, per company/name/year, with a start value and a
format; concurrent draws on PostgreSQL never repeat nor skip a number."""
from __future__ import annotations

import threading

from sqlalchemy import select

from app.core.sequences import SequenceCounter, format_number, next_number


def _draw(session, company, **kw):
    return next_number(session, company_id=company.id, **kw)


def test_numbers_follow_each_other_per_company_name_and_year(session, make_company):
    a, b = make_company(), make_company()
    cert = dict(name="calibration_certificate", start=1)
    assert [_draw(session, a, year=2026, **cert) for _ in range(3)] == [1, 2, 3]
    assert _draw(session, a, year=2027, **cert) == 1  # a new year restarts
    assert _draw(session, b, year=2026, **cert) == 1  # another company has its own
    assert [_draw(session, a, name="material_code", start=700000) for _ in range(2)] == [700000, 700001]
    session.commit()
    assert _draw(session, a, year=2026, **cert) == 4


def test_a_rollback_gives_the_number_back(session, make_company):
    a = make_company()
    assert _draw(session, a, name="x") == 1
    session.commit()
    assert _draw(session, a, name="x") == 2
    session.rollback()  # the document that took 2 was never saved
    assert _draw(session, a, name="x") == 2
    session.commit()
    rows = session.scalars(select(SequenceCounter).where(SequenceCounter.company_id == a.id)
                           .execution_options(all_companies=True)).all()
    assert [(r.name, r.year, r.next_value) for r in rows] == [("x", 0, 3)]


def test_format_number():
    assert format_number(42, prefix="CAL", year=2026, width=5) == "CAL-2026-00042"
    assert format_number(700000) == "700000"
    assert format_number(7, prefix="OI", width=3) == "OI-007"


def test_sixteen_threads_draw_sixteen_consecutive_numbers(app, session, make_company, postgres_only):
    """Each thread its own session and transaction, all released at once: 1..16, no gap, no
    duplicate (the row lock serialises them)."""
    from app.extensions import db

    company = make_company()
    session.commit()
    barrier = threading.Barrier(16)
    drawn, errors = [], []

    def draw():
        try:
            with app.app_context():
                barrier.wait()
                drawn.append(next_number(db.session, company_id=company.id, name="race", year=2026))
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=draw) for _ in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert sorted(drawn) == list(range(1, 17))
