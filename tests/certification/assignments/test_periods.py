"""Periods against real holiday calendars: period 1 (CERT-ASG-1), completion and the next
period (CERT-PER-2), rules copied per period (CERT-CFG-1)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.certification.assignments.models import COMPLETED, OPEN, ValidationPeriod
from app.core.audit import AuditEntry
from app.core.tenancy import company_scope
from tests.certification.conftest import brute_nth_workday

D = dt.date


# --- CERT-ASG-1: period 1 ------------------------------------------------------------------

@pytest.mark.parametrize("start, end, why", [
    (D(2026, 1, 5), D(2026, 1, 12), "Monday; Epiphany (Tue 6 Jan) inside the window is skipped"),
    (D(2026, 1, 3), D(2026, 1, 12), "a Saturday start is not day 1; the window starts on Monday"),
    (D(2026, 1, 6), D(2026, 1, 13), "a start on a holiday (Epiphany) is not day 1"),
    (D(2025, 12, 29), D(2026, 1, 5), "over the year end: 29, 30, 31 Dec, 2 Jan (New Year skipped), 5 Jan"),
    (D(2026, 4, 29), D(2026, 5, 6), "Madrid: Labour Day (Fri 1 May) skipped; Madrid Day falls on Saturday"),
])
def test_cert_asg_1_period_one_ends_on_the_nth_working_day_madrid(world, small_rules, start, end, why):
    small_rules(workdays=5)
    assignment = world.assign(start)
    [period] = world.periods(assignment)
    assert (period.number, period.start, period.end) == (1, start, end), why
    assert (period.done, period.required_inspections, period.required_workdays, period.status) == (0, 3, 5, OPEN)


@pytest.mark.parametrize("country, subdiv, start, end", [
    ("MX", None, D(2026, 1, 28), D(2026, 2, 4)),  # Constitution Day, Mon 2 Feb, skipped
    ("CL", None, D(2026, 5, 18), D(2026, 5, 25)),  # Navy Day, Thu 21 May, skipped
])
def test_cert_asg_1_period_one_uses_the_company_country_holidays(make_world, small_rules, country, subdiv, start, end):
    small_rules(workdays=5)
    w = make_world(country_code=country, subdivision=subdiv)
    [period] = w.periods(w.assign(start))
    assert period.end == end


@pytest.mark.parametrize("country, subdiv", [("ES", "MD"), ("MX", None), ("CL", None)])
def test_cert_asg_1_default_period_is_180_working_days(make_world, country, subdiv):
    w = make_world(country_code=country, subdivision=subdiv)
    start = D(2026, 1, 5)
    [period] = w.periods(w.assign(start))
    assert period.end == brute_nth_workday(start, 180, country, subdiv)
    assert (period.required_workdays, period.required_inspections) == (180, 29)


def test_cert_asg_1_company_days_off_count_as_non_working(world, small_rules, session):
    from app.core.tenancy import NonWorkingDay

    small_rules(workdays=5)
    with company_scope(world.company.id):
        session.add(NonWorkingDay(date=D(2026, 1, 8), description="Inventario"))
        session.commit()
    [period] = world.periods(world.assign(D(2026, 1, 5)))
    assert period.end == D(2026, 1, 13)  # 5, 7, 9, 12, 13


# --- CERT-PER-2: completion and the next period -----------------------------------------

def test_cert_per_2_the_required_inspection_on_a_friday_opens_the_next_period_on_monday(world, small_rules):
    small_rules(workdays=10, inspections=3)
    a = world.assign(D(2026, 1, 7))
    for day in (D(2026, 1, 7), D(2026, 1, 8), D(2026, 1, 9)):  # the 3rd on Friday 9 Jan
        world.inspect(a, day)
    first, second = world.periods(a)
    assert (first.status, first.done, first.completed_on) == (COMPLETED, 3, D(2026, 1, 9))
    assert (second.number, second.status, second.done, second.start) == (2, OPEN, 0, D(2026, 1, 12))
    assert second.end == D(2026, 1, 23)  # 10 working days from Monday 12


def test_cert_per_2_the_required_inspection_on_the_eve_of_a_holiday(world, small_rules):
    small_rules(workdays=10, inspections=3)
    a = world.assign(D(2025, 12, 29))
    for day in (D(2025, 12, 30), D(2026, 1, 2), D(2026, 1, 5)):  # 5 Jan: eve of Epiphany
        world.inspect(a, day)
    _, second = world.periods(a)
    assert second.start == D(2026, 1, 7)


def test_cert_per_2_full_rules_29_inspections_over_180_working_days(world):
    a = world.assign(D(2026, 1, 5))
    days = [D(2026, 1, 5) + dt.timedelta(days=i) for i in range(40)]
    workdays = [d for d in days if d.weekday() < 5 and d != D(2026, 1, 6)][:29]
    for day in workdays:
        world.inspect(a, day, today=D(2026, 3, 1))
    first, second = world.periods(a)
    assert workdays[-1] == D(2026, 2, 13)  # a Friday
    assert (first.status, first.done, first.completed_on) == (COMPLETED, 29, D(2026, 2, 13))
    assert second.start == D(2026, 2, 16)
    assert second.end == brute_nth_workday(D(2026, 2, 16), 180, "ES", "MD")


def test_cert_per_2_completion_takes_the_latest_inspection_date_when_they_arrive_out_of_order(world, small_rules):
    small_rules(workdays=10, inspections=3)
    a = world.assign(D(2026, 1, 7))
    for day in (D(2026, 1, 14), D(2026, 1, 8), D(2026, 1, 12)):
        world.inspect(a, day, today=D(2026, 1, 20))
    first, second = world.periods(a)
    assert first.completed_on == D(2026, 1, 14)
    assert second.start == D(2026, 1, 15)


def test_cert_per_2_a_result_no_ok_counts_too(world, small_rules):
    small_rules(workdays=10, inspections=2)
    a = world.assign(D(2026, 1, 7))
    world.inspect(a, D(2026, 1, 7), result="NO_OK")
    world.inspect(a, D(2026, 1, 8), result="NO_OK")
    assert [p.status for p in world.periods(a)] == [COMPLETED, OPEN]


def test_cert_per_2_completion_and_registration_are_audited(world, small_rules, session):
    small_rules(workdays=10, inspections=2)
    a = world.assign(D(2026, 1, 7))
    world.inspect(a, D(2026, 1, 7))
    world.inspect(a, D(2026, 1, 8))
    with company_scope(world.company.id):
        actions = session.execute(
            select(AuditEntry.entity, AuditEntry.action, AuditEntry.user_id).order_by(AuditEntry.id)
        ).all()
    assert ("inspection", "register", world.user.id) in actions
    assert ("validation_period", "complete", world.user.id) in actions
    assert ("certification_assignment", "create", world.user.id) in actions
    assert sum(1 for e in actions if e[1] == "register") == 2
    # one entry per event: no generic create/update rows duplicating them
    assert [e[1] for e in actions if e[0] == "inspection"] == ["register", "register"]
    assert [e[1] for e in actions if e[0] == "validation_period"] == ["open", "complete", "open"]


# --- CERT-CFG-1: each period keeps its own copy of the rules ----------------------------

def test_cert_cfg_1_a_rules_change_applies_to_periods_opened_afterwards(world, small_rules):
    small_rules(workdays=10, inspections=2)
    a = world.assign(D(2026, 1, 7))
    world.inspect(a, D(2026, 1, 7))
    small_rules(workdays=20, inspections=4)
    [first] = world.periods(a)
    assert (first.required_workdays, first.required_inspections) == (10, 2)
    world.inspect(a, D(2026, 1, 8))
    first, second = world.periods(a)
    assert first.status == COMPLETED
    assert (second.required_workdays, second.required_inspections) == (20, 4)


def test_cert_cfg_1_one_active_rules_row(world, small_rules, session):
    from app.certification.rules.models import CertificationRules

    small_rules(workdays=10, inspections=2)
    small_rules(workdays=11, inspections=3)
    rows = session.execute(select(CertificationRules.required_workdays, CertificationRules.active)
                           .order_by(CertificationRules.id)).all()
    assert rows == [(180, False), (10, False), (11, True)]


def test_periods_are_chained_and_never_overlap(world, small_rules):
    small_rules(workdays=5, inspections=1)
    a = world.assign(D(2026, 1, 5))
    world.inspect(a, D(2026, 1, 9))
    world.inspect(a, D(2026, 1, 12))
    periods = world.periods(a)
    assert [(p.number, p.status) for p in periods] == [(1, COMPLETED), (2, COMPLETED), (3, OPEN)]
    for before, after in zip(periods, periods[1:]):
        assert after.start > before.completed_on
    assert isinstance(periods[0], ValidationPeriod)
