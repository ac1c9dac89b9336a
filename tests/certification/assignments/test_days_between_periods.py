"""Issue 29 item 9: an inspection dated on a non-working day between a period's completion and
the next period's start (a weekend after the completing Friday, a holiday) belongs to the
opening period (docs/decisions.md «Issue 29 · 9»); and no "today" of the year turns the
date-sensitive scenarios red. Dates are fixed and stated (Madrid's calendar), or drawn by
Hypothesis over whole years."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.certification.assignments.models import COMPLETED, OPEN
from app.certification.inspections.models import Inspection
from app.core.errors import ValidationError
from app.core.tenancy import company_scope
from app.core.workdays import WorkCalendar

D = dt.date


def test_issue_29_9_a_saturday_after_the_completing_friday_counts_in_the_opening_period(world, small_rules):
    small_rules(workdays=10, inspections=3)
    a = world.assign(D(2026, 1, 7))
    for day in (D(2026, 1, 7), D(2026, 1, 8), D(2026, 1, 9)):  # completes on Friday 9 Jan
        world.inspect(a, day)
    world.inspect(a, D(2026, 1, 10), today=D(2026, 1, 12))  # Saturday 10 Jan
    first, second = world.periods(a)
    assert (first.status, first.done, first.completed_on) == (COMPLETED, 3, D(2026, 1, 9))
    assert (second.status, second.done, second.start, second.end) == (OPEN, 1, D(2026, 1, 12), D(2026, 1, 23))
    with company_scope(world.company.id):
        dated = world.session.scalars(select(Inspection.date).where(Inspection.period_id == second.id)).all()
    assert dated == [D(2026, 1, 10)]


def test_issue_29_9_new_years_day_between_two_periods_counts_in_the_opening_period(world, small_rules):
    small_rules(workdays=10, inspections=3)
    a = world.assign(D(2025, 12, 29))
    for day in (D(2025, 12, 29), D(2025, 12, 30), D(2025, 12, 31)):
        world.inspect(a, day, today=D(2026, 1, 2))
    world.inspect(a, D(2026, 1, 1), today=D(2026, 1, 2))  # a public holiday
    first, second = world.periods(a)
    assert (first.completed_on, second.start, second.done) == (D(2025, 12, 31), D(2026, 1, 2), 1)


def test_issue_29_9_the_completion_day_itself_stays_in_the_closed_period(world, small_rules):
    small_rules(workdays=10, inspections=3)
    a = world.assign(D(2026, 1, 7))
    for day in (D(2026, 1, 7), D(2026, 1, 8), D(2026, 1, 10)):  # completes on Saturday 10 Jan
        world.inspect(a, day, today=D(2026, 1, 10))
    with pytest.raises(ValidationError) as refused:
        world.inspect(a, D(2026, 1, 10), today=D(2026, 1, 12))
    assert refused.value.field == "date" and "fuera del periodo vigente nº 2" in str(refused.value)
    with pytest.raises(ValidationError):  # before the assignment: in no period at all
        world.inspect(a, D(2026, 1, 6), today=D(2026, 1, 12))
    assert world.periods(a)[1].done == 0


def test_issue_29_9_a_period_filled_on_the_days_before_its_start_completes_on_its_start(world, small_rules):
    small_rules(workdays=10, inspections=1)
    a = world.assign(D(2026, 1, 9))
    world.inspect(a, D(2026, 1, 9))  # Friday: period 1 completes, period 2 starts Monday 12
    world.inspect(a, D(2026, 1, 11), today=D(2026, 1, 12))  # Sunday: fills period 2
    _, second, third = world.periods(a)
    assert (second.status, second.completed_on, third.start) == (COMPLETED, D(2026, 1, 12), D(2026, 1, 13))


def test_issue_29_9_the_database_refuses_a_day_inside_the_closed_period_for_the_opening_one(world, small_rules, session):
    """The CHECK and the composite FK back the rule: a row written around the service, dated on
    the previous period's completion day, is refused by the database itself."""
    small_rules(workdays=10, inspections=3)
    a = world.assign(D(2026, 1, 7))
    for day in (D(2026, 1, 7), D(2026, 1, 8), D(2026, 1, 9)):
        world.inspect(a, day)
    row = world.inspect(a, D(2026, 1, 12))
    for forged in ({"date": D(2026, 1, 9)}, {"date": D(2026, 1, 10), "period_after": D(2026, 1, 3)}):
        for name, value in forged.items():
            setattr(row, name, value)
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()


# --- no day of the year turns the date-sensitive scenarios red --------------------------------

def test_issue_29_9_the_company_calendar_helper_gives_working_days_for_every_day_of_two_years(world):
    calendar = WorkCalendar.for_company(world.session, world.company)
    day = D(2026, 1, 1)
    while day <= D(2027, 12, 31):
        days = world.workdays_back(5, day)
        assert len(days) == 5 and days == sorted(days) and days[-1] <= day
        assert all(calendar.is_workday(d) for d in days), (day, days)
        day += dt.timedelta(days=1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(today=st.dates(min_value=D(2026, 1, 1), max_value=D(2027, 12, 31)))
@example(today=D(2026, 12, 7))  # the day the suite first turned red (a holiday between periods)
@example(today=D(2026, 1, 2))
def test_issue_29_9_inspections_on_the_working_days_before_any_today_are_all_accepted(make_world, small_rules, today):
    """What tests/certification/test_web.py's operator page does with 300 inspections, with small
    rules (3 inspections in 5 working days) so that many periods open and close: inspections on
    the company's working days up to yesterday are all accepted, whatever day today is."""
    small_rules(workdays=5, inspections=3)
    world = make_world(country_code="ES", subdivision="MD")
    days = world.workdays_back(12, today - dt.timedelta(days=1))
    a = world.assign(days[0])
    for day in days:  # each registered on its own day, as the operator page's test does
        world.inspect(a, day, today=day)
    periods = world.periods(a)
    assert sum(p.done for p in periods) == 12 and [p.number for p in periods] == list(range(1, len(periods) + 1))
    assert all(p.previous_completed_on < p.start for p in periods[1:])
