"""Working-day calendar (DESIGN "Platform core: Working days").

A working day is Monday to Friday, not a public holiday of the company's country and
subdivision (the `holidays` package), and not one of the company's own days off
(`NonWorkingDay`).

Speed: certification periods ask for "the 180th working day from D" for tens of thousands
of assignments. Public holidays are computed once per (country, subdivision, year) and the
Monday-to-Friday non-holidays of a year once per (country, subdivision, year) too; each
calendar keeps a sorted list of its working days (as ordinals) over the years it has been
asked about, so add_workdays / nth_workday / workdays_between are a bisect, not a walk.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import Iterable

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.tenancy import NonWorkingDay

ONE_DAY = dt.timedelta(days=1)


class CalendarError(ValueError):
    """The country or subdivision has no calendar in the `holidays` package."""


def _normalise(country_code: str, subdivision: str | None) -> tuple[str, str | None]:
    country = (country_code or "").strip().upper()
    subdiv = (subdivision or "").strip().upper() or None
    if subdiv and subdiv.startswith(country + "-"):  # ISO 3166-2 "ES-MD" -> "MD"
        subdiv = subdiv[len(country) + 1:]
    return country, subdiv


@lru_cache(maxsize=1024)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[int]:
    """Ordinals of the public holidays of one country/subdivision in one year."""
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError as exc:
        where = f"{country}-{subdivision}" if subdivision else country
        raise CalendarError(f"No hay calendario de festivos para '{where}': {exc}") from None
    return frozenset(day.toordinal() for day in calendar)


@lru_cache(maxsize=1024)
def _weekday_non_holidays(country: str, subdivision: str | None, year: int) -> tuple[int, ...]:
    """Sorted ordinals of the Monday-to-Friday days of `year` that are not public holidays."""
    off = _public_holidays(country, subdivision, year)
    first, last = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
    # date.fromordinal(o).weekday() == (o + 6) % 7
    return tuple(o for o in range(first, last + 1) if (o + 6) % 7 < 5 and o not in off)


class WorkCalendar:
    """is_workday, next_workday, add_workdays, nth_workday and workdays_between for one company."""

    def __init__(self, country_code: str, subdivision: str | None = None, days_off: Iterable[dt.date] = ()):
        self.country_code, self.subdivision = _normalise(country_code, subdivision)
        self.days_off = frozenset(days_off)
        self._off_ordinals = frozenset(d.toordinal() for d in self.days_off)
        _public_holidays(self.country_code, self.subdivision, dt.date.today().year)  # fail early
        self._first_year: int | None = None
        self._last_year: int | None = None
        self._ordinals: list[int] = []  # sorted working days over [_first_year, _last_year]
        self._ordinal_set: frozenset[int] = frozenset()

    def __repr__(self) -> str:
        where = f"{self.country_code}-{self.subdivision}" if self.subdivision else self.country_code
        return f"<WorkCalendar {where} +{len(self.days_off)} days off>"

    @classmethod
    def for_company(cls, session: Session, company) -> "WorkCalendar":
        """The company's calendar: its country/subdivision holidays and its NonWorkingDay rows."""
        days = session.scalars(
            select(NonWorkingDay.date)
            .where(NonWorkingDay.company_id == company.id)
            .execution_options(all_companies=True)
        )
        return cls(company.country_code, company.subdivision, list(days))

    # --- the working days, year by year -------------------------------------------------

    def _year(self, year: int) -> list[int]:
        days = _weekday_non_holidays(self.country_code, self.subdivision, year)
        if not self._off_ordinals:
            return list(days)
        return [o for o in days if o not in self._off_ordinals]

    def _cover(self, first_year: int, last_year: int) -> None:
        """Make sure the sorted list spans the years first_year..last_year."""
        if self._first_year is not None and self._first_year <= first_year and last_year <= self._last_year:
            return
        if self._first_year is None:
            lo, hi = first_year, last_year
            ordinals: list[int] = []
            for year in range(lo, hi + 1):
                ordinals.extend(self._year(year))
        else:
            lo, hi = min(first_year, self._first_year), max(last_year, self._last_year)
            before: list[int] = []
            for year in range(lo, self._first_year):
                before.extend(self._year(year))
            ordinals = before + self._ordinals
            for year in range(self._last_year + 1, hi + 1):
                ordinals.extend(self._year(year))
        self._first_year, self._last_year = lo, hi
        self._ordinals = ordinals
        self._ordinal_set = frozenset(ordinals)

    # --- queries --------------------------------------------------------------------

    def is_holiday(self, day: dt.date) -> bool:
        """A public holiday of the country/subdivision (the company's own days off aside)."""
        return day.toordinal() in _public_holidays(self.country_code, self.subdivision, day.year)

    def is_workday(self, day: dt.date) -> bool:
        self._cover(day.year, day.year)
        return day.toordinal() in self._ordinal_set

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        return self.add_workdays(day, 1)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The date `n` working days after `start` (start itself not counted; n >= 0)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return start
        # ~250 working days a year: cover enough years up front, then extend if short.
        self._cover(start.year, start.year + n // 200 + 1)
        index = bisect_right(self._ordinals, start.toordinal()) + n - 1
        while index >= len(self._ordinals):
            self._cover(start.year, self._last_year + 1)
            index = bisect_right(self._ordinals, start.toordinal()) + n - 1
        return dt.date.fromordinal(self._ordinals[index])

    def nth_workday(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day counting from `start`, which is day 1 when it is a working day."""
        if n < 1:
            raise ValueError("n must be >= 1")
        return self.add_workdays(start - ONE_DAY, n)

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in [start, end], both included (0 when end < start)."""
        if end < start:
            return 0
        self._cover(start.year, end.year)
        return bisect_right(self._ordinals, end.toordinal()) - bisect_left(self._ordinals, start.toordinal())
