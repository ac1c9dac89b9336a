"""Working-day calendar (DESIGN "Platform core: Working days").

A working day is Monday to Friday, not a public holiday of the company's country and
subdivision (the `holidays` package), and not one of the company's own days off
(`NonWorkingDay`)."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Iterable

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year).keys())


class WorkCalendar:
    """is_workday, next_workday, add_workdays, nth_workday and workdays_between for one company."""

    def __init__(self, country_code: str, subdivision: str | None = None, days_off: Iterable[dt.date] = ()):
        self.country_code = country_code
        self.subdivision = subdivision or None
        self.days_off = frozenset(days_off)

    @classmethod
    def for_company(cls, session: Session, company) -> "WorkCalendar":
        from app.core.tenancy import NonWorkingDay

        days = session.scalars(
            select(NonWorkingDay.date)
            .where(NonWorkingDay.company_id == company.id)
            .execution_options(all_companies=True)
        )
        return cls(company.country_code, company.subdivision, days)

    def is_holiday(self, day: dt.date) -> bool:
        return day in _public_holidays(self.country_code, self.subdivision, day.year)

    def is_workday(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day) and day not in self.days_off

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        return self.add_workdays(day, 1)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The date `n` working days after `start` (start itself not counted; n >= 0)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day = start
        while n:
            day += ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def nth_workday(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day counting from `start`, which is day 1 when it is a working day."""
        if n < 1:
            raise ValueError("n must be >= 1")
        return self.add_workdays(start - ONE_DAY, n)

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in [start, end], both included (0 when end < start)."""
        count, day = 0, start
        while day <= end:
            count += self.is_workday(day)
            day += ONE_DAY
        return count
