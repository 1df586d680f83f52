"""Planning: the days that matter to an Indonesian organisation, and checking a content plan.

Its modules, lowest first: :mod:`.days` (public holidays from the ``holidays`` package, national
days, days of restraint and the organisation's own, from YAML data), :mod:`.ics` (iCalendar
export), :mod:`.planfile` (reading a CSV or YAML plan) and :mod:`.plancheck` (``smguard plan
check``).

May import every layer below it; it uses :mod:`smguard.reports` for the accounts' learnt prime
time.
"""
