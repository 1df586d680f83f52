"""Account security: inventory, admin TOTP, the team vault, approvals and the 2FA hygiene audit.

Modules (import them directly; their settings live in :mod:`smguard.config.security`):

    crypto      AES-GCM encryption of every stored TOTP seed, key file / environment key, rotation
    totp        personal TOTP for admins: enrolment, verification (drift, replay, lockout),
                backup codes
    inventory   accounts and admins in the database, synced from ``smguard.toml``; departures
    vault       the shared accounts' own 2FA seeds, handing out codes to authorised admins
    approvals   the two-person rule for held checks
    hygiene     ``smguard audit 2fa``
"""

from __future__ import annotations
