"""Reports: what went out, what was held and why, what went wrong and how fast it was handled.

Its modules, lowest first:

* :mod:`.period` (weeks and months in the report's time zone), :mod:`.stats` (durations),
  :mod:`.primetime` (engagement by hour of the week and the prime-time recommendation);
* :mod:`.model` — the report as plain data (its ``to_dict`` is ``--format json``);
* :mod:`.gather` — :func:`build_report` reads the records into a :class:`Report`;
* :mod:`.words` and :mod:`.sentences` (English and Indonesian), then the renderers:
  :mod:`.text` (terminal), :mod:`.html` (a self-contained page with charts) and
  :mod:`.digest` (a short summary sent through the alert sinks);
* :mod:`.demo` — ``smguard demo``'s made-up history.

A web page that shows a report calls :func:`build_report`, then :func:`render_html` (a whole
page) or :func:`report_body` (the part inside ``<body>``, for a page of its own).

May import every layer below it: :mod:`smguard.watch`, :mod:`smguard.security`,
:mod:`smguard.alerting`, :mod:`smguard.records` and what they stand on.
"""

from __future__ import annotations

from smguard.reports.gather import (
    build_report,
    engagement_samples,
    learnt_prime_time,
    record_report,
)
from smguard.reports.model import Report
from smguard.reports.period import PERIOD_KINDS, Period, parse_period, period_containing
from smguard.reports.primetime import PrimeTime, prime_time
from smguard.reports.text import render_text

__all__ = [
    "PERIOD_KINDS",
    "Period",
    "PrimeTime",
    "Report",
    "build_report",
    "engagement_samples",
    "learnt_prime_time",
    "parse_period",
    "period_containing",
    "prime_time",
    "record_report",
    "render_text",
]
