"""Clarifications: the open, honest public statement after something went wrong.

The flow (each step an audit event, ``clarification.drafted`` / ``.edited`` / ``.approved`` /
``.published``)::

    draft ──edit*──▶ approve (a named admin) ──▶ publish (platform, URL or post id, time)

* :func:`draft` fills the template for the incident's kind and language with the incident and
  the ``[clarify]`` settings. A good clarification says what happened, what was done about it,
  apologises where due, tells followers what to do (ignore a link, report direct messages) and
  where to ask — the template's sections.
* :func:`edit` stores a new version; every version is run through the guard and its verdict is
  kept. Editing an approved clarification withdraws the approval.
* :func:`approve` is refused while the latest version's decision is not ``allow`` (the findings
  say why), and without an approver's name.
* :func:`publish` records where and when it went out, and writes a ledger entry for the post, so
  that the account watch recognises it as ours.

The public API is this package (its ``__all__``); behind it, :mod:`.templates` loads templates
and renders first drafts with the ``[clarify]`` settings (:mod:`smguard.config.clarify`),
:mod:`.model` holds the snapshots callers see, :mod:`.lifecycle` the steps above and
:mod:`.listing` reads them back.
A refused step raises :class:`~smguard.records.errors.ClarificationError`.

May import: the records' own modules (tables, errors, checks, ledger, incidents),
:mod:`smguard.config`, :mod:`smguard.types`, :mod:`smguard.errors` and, to check each version,
:mod:`smguard.guard`.
"""

from __future__ import annotations

from smguard.config.clarify import ClarifySettings
from smguard.records.clarify.lifecycle import approve, draft, edit, publish
from smguard.records.clarify.listing import get_clarification, list_clarifications
from smguard.records.clarify.model import STATUSES, Clarification, Version
from smguard.records.clarify.templates import (
    PLACEHOLDERS,
    SECTIONS,
    Template,
    builtin_templates_dir,
    load_template,
    render_draft,
)
from smguard.records.errors import ClarificationError, ClarificationNotFound

__all__ = [
    "PLACEHOLDERS",
    "SECTIONS",
    "STATUSES",
    "Clarification",
    "ClarificationError",
    "ClarificationNotFound",
    "ClarifySettings",
    "Template",
    "Version",
    "approve",
    "builtin_templates_dir",
    "draft",
    "edit",
    "get_clarification",
    "list_clarifications",
    "load_template",
    "publish",
    "render_draft",
]
