"""Working days against real calendars (the `holidays` package): Spain (national, Madrid,
Catalonia), Mexico and Chile, across year ends and Easter, with company days off from the
database. Dates below were checked against the package's calendars for those years."""
from __future__ import annotations

import random
import time
from datetime import date, timedelta

import holidays
import pytest

from app.core import workdays
from app.core.tenancy import NonWorkingDay
from app.core.workdays import CalendarError, WorkCalendar

D = date


def naive_nth(cal: WorkCalendar, start: date, n: int) -> date:
    """Reference: walk day by day, asking the holidays package directly."""
    country = holidays.country_holidays(cal.country_code, subdiv=cal.subdivision, years=range(start.year, start.year + 3))
    day, count = start, 0
    while True:
        if day.weekday() < 5 and day not in country and day not in cal.days_off:
            count += 1
            if count == n:
                return day
        day += timedelta(days=1)


# --- Spain ------------------------------------------------------------------------------

def test_madrid_region_holidays_2_may_and_not_san_isidro():
    md = WorkCalendar("ES", "MD")
    # 2 May (Fiesta de la Comunidad de Madrid) is a regional holiday; in 2025 it is a Friday.
    assert not md.is_workday(D(2025, 5, 2))
    assert not md.is_workday(D(2025, 5, 1))  # Labour Day, Thursday
    assert md.add_workdays(D(2025, 4, 30), 1) == D(2025, 5, 5)
    # San Isidro (15 May) is a holiday of Madrid city, not of the region.
    assert md.is_workday(D(2025, 5, 15))
    # Santiago Apóstol (25 July) is a Madrid holiday in 2025 but not in 2026 (a Saturday then anyway),
    # and in 2027 Madrid takes San José (19 March, Friday) instead.
    assert not md.is_workday(D(2025, 7, 25))
    assert not md.is_workday(D(2027, 3, 19))
    # 2 May 2027 is a Sunday: Madrid moves it to Monday 3 May.
    assert not md.is_workday(D(2027, 5, 3))


def test_spain_national_calendar_is_not_madrid():
    es = WorkCalendar("ES")
    assert es.is_workday(D(2025, 5, 2))  # 2 May is Madrid's only
    assert es.is_workday(D(2026, 4, 2))  # Jueves Santo is regional, not national
    assert not es.is_workday(D(2026, 4, 3))  # Viernes Santo is national


def test_easter_in_spain_jueves_and_viernes_santo_in_madrid_lunes_de_pascua_in_catalonia():
    md = WorkCalendar("ES", "MD")
    assert not md.is_workday(D(2026, 4, 2))  # Jueves Santo
    assert not md.is_workday(D(2026, 4, 3))  # Viernes Santo
    assert md.is_workday(D(2026, 4, 6))  # Easter Monday is not a Madrid holiday
    assert md.next_workday(D(2026, 4, 1)) == D(2026, 4, 6)
    assert md.workdays_between(D(2026, 3, 30), D(2026, 4, 10)) == 8

    ct = WorkCalendar("ES", "CT")
    assert ct.is_workday(D(2026, 4, 2))  # Catalonia works on Jueves Santo...
    assert not ct.is_workday(D(2026, 4, 6))  # ...and rests on Easter Monday
    assert ct.next_workday(D(2026, 4, 2)) == D(2026, 4, 7)


def test_spain_across_the_year_end():
    md = WorkCalendar("ES", "MD")
    # 25 Dec 2025 Thu, 1 Jan 2026 Thu and 6 Jan 2026 Tue are holidays.
    assert md.next_workday(D(2025, 12, 31)) == D(2026, 1, 2)
    assert md.add_workdays(D(2025, 12, 24), 1) == D(2025, 12, 26)
    assert md.add_workdays(D(2025, 12, 24), 5) == D(2026, 1, 2)
    assert md.add_workdays(D(2025, 12, 24), 6) == D(2026, 1, 5)
    assert md.add_workdays(D(2025, 12, 24), 7) == D(2026, 1, 7)
    assert md.workdays_between(D(2025, 12, 22), D(2026, 1, 9)) == 12


def test_iso_style_subdivision_is_accepted():
    assert WorkCalendar("es", "es-md").add_workdays(D(2025, 4, 30), 1) == D(2025, 5, 5)


# --- Mexico -----------------------------------------------------------------------------

def test_mexico_monday_holidays_independence_and_new_year():
    mx = WorkCalendar("MX")
    # Natalicio de Benito Juárez: third Monday of March (16 Mar 2026, 17 Mar 2025).
    assert not mx.is_workday(D(2026, 3, 16))
    assert not mx.is_workday(D(2025, 3, 17))
    assert mx.next_workday(D(2026, 3, 13)) == D(2026, 3, 17)
    # Constitución: first Monday of February; Revolución: third Monday of November.
    assert mx.next_workday(D(2026, 1, 30)) == D(2026, 2, 3)
    assert not mx.is_workday(D(2026, 11, 16))
    # Independencia, 16 Sep 2026 (Wednesday).
    assert not mx.is_workday(D(2026, 9, 16))
    assert mx.workdays_between(D(2026, 9, 14), D(2026, 9, 18)) == 4
    # Year end: 1 Jan 2026 is a Thursday.
    assert mx.next_workday(D(2025, 12, 31)) == D(2026, 1, 2)
    assert mx.add_workdays(D(2025, 12, 24), 2) == D(2025, 12, 29)  # 25 Dec off, 26 Dec Friday works


def test_mexico_holy_week_is_not_a_federal_rest_day():
    # The federal labour law (LFT art. 74) does not list Jueves/Viernes Santo; the package agrees.
    mx = WorkCalendar("MX")
    assert mx.is_workday(D(2026, 4, 2))
    assert mx.is_workday(D(2026, 4, 3))


# --- Chile ------------------------------------------------------------------------------

def test_chile_easter_fiestas_patrias_and_year_end():
    cl = WorkCalendar("CL")
    assert not cl.is_workday(D(2026, 4, 3))  # Viernes Santo
    assert cl.is_workday(D(2026, 4, 2))  # Jueves Santo works
    assert cl.next_workday(D(2026, 4, 2)) == D(2026, 4, 6)
    # Fiestas Patrias 2025: 18 (Thu) and 19 (Fri) September.
    assert cl.next_workday(D(2025, 9, 17)) == D(2025, 9, 22)
    # Pueblos Indígenas 20 Jun 2025 (Friday).
    assert not cl.is_workday(D(2025, 6, 20))
    assert cl.next_workday(D(2025, 12, 31)) == D(2026, 1, 2)
    assert cl.workdays_between(D(2025, 12, 29), D(2026, 1, 2)) == 4


# --- starts on weekends and holidays ----------------------------------------------------

def test_nth_workday_counts_start_as_day_one_only_when_it_is_a_working_day():
    md = WorkCalendar("ES", "MD")
    monday = D(2026, 1, 5)
    assert md.nth_workday(monday, 1) == monday
    assert md.nth_workday(monday, 2) == D(2026, 1, 7)  # 6 Jan Epiphany
    assert md.nth_workday(D(2026, 1, 3), 1) == monday  # Saturday start
    assert md.nth_workday(D(2026, 1, 4), 2) == D(2026, 1, 7)  # Sunday start
    assert md.nth_workday(D(2026, 1, 1), 1) == D(2026, 1, 2)  # holiday start
    assert md.nth_workday(D(2026, 1, 6), 1) == D(2026, 1, 7)


def test_add_workdays_from_weekend_and_holiday_excludes_the_start():
    md = WorkCalendar("ES", "MD")
    assert md.add_workdays(D(2026, 1, 3), 1) == D(2026, 1, 5)  # Saturday -> Monday
    assert md.add_workdays(D(2026, 1, 5), 1) == D(2026, 1, 7)  # Monday -> skips Epiphany
    assert md.add_workdays(D(2026, 1, 6), 1) == D(2026, 1, 7)
    assert md.add_workdays(D(2026, 1, 5), 0) == D(2026, 1, 5)
    assert md.next_workday(D(2026, 1, 2)) == D(2026, 1, 5)  # Friday -> Monday
    with pytest.raises(ValueError):
        md.add_workdays(D(2026, 1, 5), -1)
    with pytest.raises(ValueError):
        md.nth_workday(D(2026, 1, 5), 0)


def test_workdays_between_is_inclusive_and_empty_when_reversed():
    md = WorkCalendar("ES", "MD")
    assert md.workdays_between(D(2026, 1, 5), D(2026, 1, 5)) == 1
    assert md.workdays_between(D(2026, 1, 6), D(2026, 1, 6)) == 0
    assert md.workdays_between(D(2026, 1, 3), D(2026, 1, 4)) == 0
    assert md.workdays_between(D(2026, 1, 9), D(2026, 1, 5)) == 0
    # 2026 in Madrid: 261 weekdays minus the 10 holidays that fall on weekdays
    # (1 and 6 Jan, 2 and 3 Apr, 1 May, 12 Oct, 2 Nov, 7 and 8 Dec, 25 Dec).
    assert md.workdays_between(D(2026, 1, 1), D(2026, 12, 31)) == 261 - 10


def test_nth_and_between_agree_and_match_a_day_by_day_walk():
    rng = random.Random(20260105)
    calendars = [
        WorkCalendar("ES", "MD", [D(2026, 12, 24), D(2027, 8, 16)]),
        WorkCalendar("ES", "CT"),
        WorkCalendar("MX"),
        WorkCalendar("CL"),
    ]
    for cal in calendars:
        for _ in range(40):
            start = D(2025, 1, 1) + timedelta(days=rng.randrange(900))
            n = rng.choice([1, 2, 5, 29, 180, 400])
            end = cal.nth_workday(start, n)
            assert end == naive_nth(cal, start, n), (cal, start, n)
            assert cal.workdays_between(start, end) == n
            assert cal.is_workday(end)
            assert cal.add_workdays(start, n) == cal.nth_workday(start + timedelta(days=1), n)


def test_calendar_can_be_asked_backwards_in_time_after_forwards():
    md = WorkCalendar("ES", "MD")
    assert md.next_workday(D(2030, 12, 31)) == D(2031, 1, 2)
    assert md.next_workday(D(2024, 12, 31)) == D(2025, 1, 2)
    assert not md.is_workday(D(2024, 3, 28))  # Jueves Santo 2024
    assert md.workdays_between(D(2024, 12, 30), D(2025, 1, 3)) == 4


# --- company days off -------------------------------------------------------------------

def test_company_days_off_come_from_the_database(session, make_company):
    a = make_company(country_code="ES", subdivision="MD")
    b = make_company(country_code="ES", subdivision="MD")
    session.add_all([
        NonWorkingDay(company_id=a.id, date=D(2026, 12, 24), description="Nochebuena"),
        NonWorkingDay(company_id=a.id, date=D(2026, 12, 31), description="Nochevieja"),
        NonWorkingDay(company_id=b.id, date=D(2026, 12, 28), description="Inventario"),
    ])
    session.commit()

    cal_a = WorkCalendar.for_company(session, a)
    assert cal_a.days_off == {D(2026, 12, 24), D(2026, 12, 31)}
    assert not cal_a.is_workday(D(2026, 12, 24))
    assert cal_a.is_workday(D(2026, 12, 28))  # b's day off does not leak into a
    # 24 Dec off (company), 25 Dec Christmas, 26-27 weekend, 28-30 work, 31 off (company),
    # 1 Jan holiday, 4 Jan Mon, 5 Jan Tue, 6 Jan Epiphany, 7 Jan Thu.
    assert cal_a.next_workday(D(2026, 12, 23)) == D(2026, 12, 28)
    assert cal_a.add_workdays(D(2026, 12, 23), 4) == D(2027, 1, 4)
    assert cal_a.add_workdays(D(2026, 12, 23), 6) == D(2027, 1, 7)
    assert cal_a.nth_workday(D(2026, 12, 24), 1) == D(2026, 12, 28)
    assert cal_a.workdays_between(D(2026, 12, 21), D(2027, 1, 8)) == 3 + 3 + 2 + 2

    cal_b = WorkCalendar.for_company(session, b)
    assert cal_b.is_workday(D(2026, 12, 24))
    assert not cal_b.is_workday(D(2026, 12, 28))


def test_company_country_and_subdivision_choose_the_holidays(session, make_company):
    mx = make_company(country_code="MX", subdivision=None)
    cal = WorkCalendar.for_company(session, mx)
    assert not cal.is_workday(D(2026, 9, 16))
    assert cal.is_workday(D(2026, 4, 2))


def test_unknown_country_or_subdivision_is_a_clear_error():
    with pytest.raises(CalendarError, match="XX"):
        WorkCalendar("XX")
    with pytest.raises(CalendarError, match="ES-ZZ"):
        WorkCalendar("ES", "ZZ")


# --- speed ------------------------------------------------------------------------------

def test_public_holidays_are_computed_once_per_country_subdivision_year(monkeypatch):
    calls = []
    real = holidays.country_holidays

    def counting(country, subdiv=None, years=None, **kw):
        calls.append((country, subdiv, years))
        return real(country, subdiv=subdiv, years=years, **kw)

    workdays._public_holidays.cache_clear()
    workdays._weekday_non_holidays.cache_clear()
    monkeypatch.setattr(workdays.holidays, "country_holidays", counting)
    for _ in range(3):
        cal = WorkCalendar("CL")
        for month in range(1, 13):
            cal.nth_workday(D(2025, month, 10), 180)
    years = [y for (_, _, y) in calls]
    assert len(years) == len(set(years)), calls  # never the same year twice
    assert {c for (c, _, _) in calls} == {"CL"}


def test_fifty_thousand_period_ends_are_fast():
    cal = WorkCalendar("ES", "MD", [D(2026, 8, 14)])
    starts = [D(2025, 1, 1) + timedelta(days=i % 700) for i in range(50_000)]
    began = time.perf_counter()
    ends = [cal.nth_workday(s, 180) for s in starts]
    elapsed = time.perf_counter() - began
    assert all(e > s for e, s in zip(ends, starts))
    assert elapsed < 2.0, f"50,000 nth_workday(…, 180) took {elapsed:.2f}s"
