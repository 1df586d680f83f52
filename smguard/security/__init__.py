"""Account security: the inventory, admins' TOTP, the team vault, approvals and the 2FA audit.

Modules (import them directly; their settings live in :mod:`smguard.config.security`):

    clock          the clock of account security (``aware``), one place for tests to hold still
    inventory      finding accounts, admins and roles in the database; what smguard.toml declares
    sync           copying smguard.toml's accounts, admins and roles into the database (file wins)
    accounts       adding, changing and removing accounts
    admins         adding and changing admins, granting and revoking roles
    departure      what a leaving admin could reach, revoking it, reactivation
    totp           RFC 6238 codes: the code of a time step, matching within the drift window
    backup_codes   single-use backup codes: making, hashing (scrypt), checking, counting
    second_factor  checking an admin's code (drift, replay, lockout) and ``prove``, the gate
                   of approvals and the vault
    enrolment      enrolment, activation, rotation and owner resets of admins' TOTP; status
    crypto         AES-GCM encryption of every stored TOTP seed; key file or environment key;
                   key rotation
    vault          the shared accounts' own 2FA seeds, handing out codes to authorised admins
    approvals      the two-person rule for held checks
    hygiene        ``smguard audit 2fa``
    errors         the bilingual errors of account security

It may import the kernel (``smguard.errors``, ``types``, ``hookspecs``, ``manager``),
:mod:`smguard.config`, :mod:`smguard.guard` and :mod:`smguard.records` — never
:mod:`smguard.alerting`, :mod:`smguard.watch`, plugins or the CLI.
"""

from __future__ import annotations
