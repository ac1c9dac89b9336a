"""Gap-free, concurrency-safe numbering (issue 7 item 3): order numbers, certificate numbers
(`CAL-2026-00042`, restarting each year), material codes (from 700000).

One row per (company, name, year) in `sequence_counter` holds the next value to give. A
number is drawn with one `UPDATE ... RETURNING` inside the caller's transaction: the row
stays locked (PostgreSQL row lock, SQLite write lock) until that transaction ends, so two
transactions never get the same number, and a rollback gives the number back (no gap)."""
from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.models import Model
from app.core.tenancy import TenantMixin

NO_YEAR = 0  # the year of a sequence that never restarts


class SequenceCounter(TenantMixin, Model):
    """The next value of one named sequence of a company (per year when it restarts yearly)."""

    __tablename__ = "sequence_counter"
    __table_args__ = (UniqueConstraint("company_id", "name", "year", name="uq_sequence_counter_company_name_year"),)
    __audited__ = False
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer, default=NO_YEAR)
    next_value: Mapped[int] = mapped_column(Integer)


def next_number(session: Session, *, company_id: int, name: str, year: int | None = None, start: int = 1) -> int:
    """The next number of sequence `name` of the company (of `year` when given), `start`
    for the first one. Held until the caller's transaction ends; given back on rollback."""
    year = year or NO_YEAR
    table = SequenceCounter.__table__
    bump = (
        update(table)
        .where(table.c.company_id == company_id, table.c.name == name, table.c.year == year)
        .values(next_value=table.c.next_value + 1)
        .returning(table.c.next_value)
    )
    drawn = session.execute(bump).scalar()
    if drawn is None:  # the sequence's first number: create its row (once, even when racing)
        try:
            with session.begin_nested():
                session.execute(table.insert().values(company_id=company_id, name=name, year=year, next_value=start))
        except IntegrityError:
            pass  # another transaction created it first; the UPDATE below waits for it
        drawn = session.execute(bump).scalar_one()
    return drawn - 1


def format_number(value: int, *, prefix: str = "", year: int | None = None, width: int = 0) -> str:
    """`format_number(42, prefix="CAL", year=2026, width=5)` -> "CAL-2026-00042"."""
    parts = [p for p in (prefix, str(year) if year else "") if p]
    parts.append(str(value).zfill(width))
    return "-".join(parts)
