"""Internals of :mod:`smguard.alerts` (settings, messages, signing, transport, outbox).

Import from :mod:`smguard.alerts`; these modules may move.
"""
