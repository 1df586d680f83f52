"""``smguard audit 2fa``: the 2FA hygiene of every account and admin, for a security officer.

Each finding has a stable code, a severity (``critical``, ``warning`` or ``info``), what it is
about, and a message and a remediation in English and Indonesian. The exit code of the command
is 2 when anything is critical, 1 when anything is a warning, else 0.

Critical findings open ``twofa_hygiene`` incidents, deduplicated by ``twofa_hygiene:CODE:SUBJECT``:
running the audit from a daily cron adds a sighting to the open incident instead of a new one,
and once the incident is resolved a finding that comes back opens a new one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from smguard.config.security import GLOBAL
from smguard.records.tables import (
    CheckRecord,
    SecAccount,
    SecAdmin,
    SecAdminTotp,
    SecRole,
    SecVaultSeed,
)
from smguard.security.backup_codes import unused_backup_codes
from smguard.security.clock import aware
from smguard.security.sync import sync_inventory

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["CHECKS", "HygieneFinding", "HygieneReport", "run_audit"]

CRITICAL, WARNING, INFO = "critical", "warning", "info"
SEVERITY_ORDER = {CRITICAL: 0, WARNING: 1, INFO: 2}

# code: (severity, message en/id, remediation en/id). Placeholders come from the finding.
CHECKS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "SMG-2FA-001": (CRITICAL, {
        "en": "{account}: the platform login has no two-factor authentication",
        "id": "{account}: login platform tanpa verifikasi dua langkah",
    }, {
        "en": "Turn on 2FA on the platform today, with a security key or an authenticator app "
              "(TOTP); keep the TOTP seed only in the vault (`smguard vault add {account}`) and "
              'record the method (two_factor = "totp").',
        "id": "Aktifkan 2FA di platform hari ini, dengan kunci keamanan atau aplikasi "
              "autentikator (TOTP); simpan seed TOTP hanya di vault (`smguard vault add "
              '{account}`) dan catat metodenya (two_factor = "totp").',
    }),
    "SMG-2FA-002": (WARNING, {
        "en": "{account}: two-factor authentication is by SMS only",
        "id": "{account}: verifikasi dua langkah hanya lewat SMS",
    }, {
        "en": "SMS codes can be stolen by SIM swap. Switch the platform to an authenticator app "
              "(TOTP) kept in the vault (`smguard vault add {account}`) or a security key.",
        "id": "Kode SMS dapat dicuri lewat SIM swap. Ganti ke aplikasi autentikator (TOTP) yang "
              "disimpan di vault (`smguard vault add {account}`) atau kunci keamanan.",
    }),
    "SMG-2FA-003": (WARNING, {
        "en": "{account}: nobody has recorded how the platform login is protected",
        "id": "{account}: belum dicatat bagaimana login platform dilindungi",
    }, {
        "en": "Check the account's security settings on the platform and record the method: "
              "two_factor = none, sms, totp or security_key (smguard.toml or "
              "`smguard accounts set {account} --two-factor …`).",
        "id": "Periksa pengaturan keamanan akun di platform dan catat metodenya: two_factor = "
              "none, sms, totp atau security_key (smguard.toml atau `smguard accounts set "
              "{account} --two-factor …`).",
    }),
    "SMG-2FA-004": (WARNING, {
        "en": "{account}: uses an authenticator app, but its seed is not in the vault",
        "id": "{account}: memakai aplikasi autentikator, tetapi seed-nya tidak ada di vault",
    }, {
        "en": "Whoever holds the seed on a phone can log in unseen. Reset the platform's 2FA, "
              "add the new seed with `smguard vault add {account}` and keep it on no phone.",
        "id": "Siapa pun yang menyimpan seed di ponsel dapat login tanpa terlihat. Reset 2FA "
              "platform, tambahkan seed baru dengan `smguard vault add {account}` dan jangan "
              "simpan di ponsel mana pun.",
    }),
    "SMG-2FA-005": (WARNING, {
        "en": "{account}: the vault seed is {age} days old (policy: {max_age} days)",
        "id": "{account}: seed di vault berumur {age} hari (kebijakan: {max_age} hari)",
    }, {
        "en": "Set up the platform's 2FA again and replace the seed: "
              "`smguard vault add {account} --replace`.",
        "id": "Atur ulang 2FA di platform lalu ganti seed-nya: "
              "`smguard vault add {account} --replace`.",
    }),
    "SMG-2FA-006": (WARNING, {
        "en": "{account}: no recovery e-mail or phone is recorded",
        "id": "{account}: e-mail atau nomor pemulihan belum dicatat",
    }, {
        "en": "Whoever controls the recovery contact can take the account over. Check it on the "
              "platform and record it (recovery_email / recovery_phone).",
        "id": "Siapa pun yang menguasai kontak pemulihan dapat mengambil alih akun. Periksa di "
              "platform dan catat (recovery_email / recovery_phone).",
    }),
    "SMG-2FA-007": (WARNING, {
        "en": "{account}: the recovery e-mail {email} is outside the organisation's domains",
        "id": "{account}: e-mail pemulihan {email} berada di luar domain organisasi",
    }, {
        "en": "Move account recovery to an organisation mailbox (a shared one, e.g. "
              "socmed@{domain}), not a personal address.",
        "id": "Pindahkan pemulihan akun ke kotak surat organisasi (bersama, mis. "
              "socmed@{domain}), bukan alamat pribadi.",
    }),
    "SMG-2FA-008": (WARNING, {
        "en": "{account}: no active admin owns this account",
        "id": "{account}: tidak ada admin aktif yang memiliki akun ini",
    }, {
        "en": "Name an owner: owners = [\"NAME\"] under [accounts.{account}] or "
              "`smguard admins grant NAME owner --account {account}`.",
        "id": "Tetapkan pemilik: owners = [\"NAMA\"] di [accounts.{account}] atau "
              "`smguard admins grant NAMA owner --account {account}`.",
    }),
    "SMG-2FA-010": (WARNING, {
        "en": "{admin}: has not enrolled in two-factor authentication",
        "id": "{admin}: belum mendaftar verifikasi dua langkah",
    }, {
        "en": "Enrol with `smguard 2fa enroll {admin}` and confirm with the first code.",
        "id": "Daftar dengan `smguard 2fa enroll {admin}` lalu konfirmasi dengan kode pertama.",
    }),
    "SMG-2FA-011": (WARNING, {
        "en": "{admin}: only {left} backup codes left",
        "id": "{admin}: kode cadangan tinggal {left}",
    }, {
        "en": "Make a new set: `smguard 2fa backup-codes {admin}` and store it offline.",
        "id": "Buat set baru: `smguard 2fa backup-codes {admin}` dan simpan secara offline.",
    }),
    "SMG-2FA-012": (WARNING, {
        "en": "{admin}: no activity for {days} days",
        "id": "{admin}: tidak ada aktivitas selama {days} hari",
    }, {
        "en": "Confirm {admin} still needs access; if not, `smguard admins depart {admin}`.",
        "id": "Pastikan {admin} masih memerlukan akses; jika tidak, "
              "`smguard admins depart {admin}`.",
    }),
    "SMG-2FA-020": (CRITICAL, {
        "en": "{admin} has departed but still holds roles: {roles}",
        "id": "{admin} sudah keluar tetapi masih memegang peran: {roles}",
    }, {
        "en": "Remove {admin} from smguard.toml (admins and the accounts' owners / approvers / "
              "authors lists) or revoke with `smguard admins revoke`.",
        "id": "Hapus {admin} dari smguard.toml (admins dan daftar owners / approvers / authors "
              "akun) atau cabut dengan `smguard admins revoke`.",
    }),
    "SMG-2FA-021": (CRITICAL, {
        "en": "{admin} has departed but still has a 2FA enrolment or backup codes",
        "id": "{admin} sudah keluar tetapi masih punya pendaftaran 2FA atau kode cadangan",
    }, {
        "en": "Run `smguard admins depart {admin}` again to revoke them, and check the audit "
              "log (`smguard audit verify`) for how they came back.",
        "id": "Jalankan lagi `smguard admins depart {admin}` untuk mencabutnya, dan periksa log "
              "audit (`smguard audit verify`) bagaimana itu bisa kembali.",
    }),
    "SMG-2FA-022": (CRITICAL, {
        "en": "{account}: the recovery {kind} belongs to {admin}, who has departed",
        "id": "{account}: {kind} pemulihan milik {admin}, yang sudah keluar",
    }, {
        "en": "{admin} can reset the password. Change the recovery {kind} on the platform now "
              "to an organisation contact, then update the inventory.",
        "id": "{admin} dapat mereset kata sandi. Ganti {kind} pemulihan di platform sekarang ke "
              "kontak organisasi, lalu perbarui inventaris.",
    }),
    "SMG-2FA-023": (CRITICAL, {
        "en": "{account}: the vault seed was added by {admin}, who has departed and has seen it",
        "id": "{account}: seed di vault ditambahkan oleh {admin}, yang sudah keluar dan "
              "pernah melihatnya",
    }, {
        "en": "Reset the platform's 2FA (new seed) and store it: "
              "`smguard vault add {account} --replace`.",
        "id": "Reset 2FA platform (seed baru) lalu simpan: "
              "`smguard vault add {account} --replace`.",
    }),
    "SMG-2FA-024": (WARNING, {
        "en": "{admin} has departed, but smguard.toml still lists them as active",
        "id": "{admin} sudah keluar, tetapi smguard.toml masih mencatatnya aktif",
    }, {
        "en": 'Set status = "departed" under [admins.{admin}] (or remove the section).',
        "id": 'Tulis status = "departed" di [admins.{admin}] (atau hapus bagiannya).',
    }),
    "SMG-2FA-090": (INFO, {
        "en": "the organisation's domains are not configured; recovery e-mails were not checked",
        "id": "domain organisasi belum diatur; e-mail pemulihan tidak diperiksa",
    }, {
        "en": 'Add [organisation] domains = ["example.go.id"] to smguard.toml.',
        "id": 'Tambahkan [organisation] domains = ["contoh.go.id"] ke smguard.toml.',
    }),
}  # fmt: skip


@dataclass(frozen=True)
class HygieneFinding:
    code: str
    severity: str
    subject: str
    account: str | None = None
    admin: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)

    def _fill(self, template: str) -> str:
        return template.format(account=self.account, admin=self.admin, **self.facts)

    @property
    def message(self) -> dict[str, str]:
        return {lang: self._fill(t) for lang, t in CHECKS[self.code][1].items()}

    @property
    def remediation(self) -> dict[str, str]:
        return {lang: self._fill(t) for lang, t in CHECKS[self.code][2].items()}

    @property
    def dedupe_key(self) -> str:
        return f"twofa_hygiene:{self.code}:{self.subject}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "subject": self.subject,
            "account": self.account,
            "admin": self.admin,
            "message": self.message,
            "remediation": self.remediation,
            "facts": dict(self.facts),
        }


@dataclass(frozen=True)
class HygieneReport:
    findings: tuple[HygieneFinding, ...]
    accounts: int
    admins: int
    incidents: tuple[int, ...] = ()

    @property
    def exit_code(self) -> int:
        severities = {f.severity for f in self.findings}
        return 2 if CRITICAL in severities else 1 if WARNING in severities else 0

    def counts(self) -> dict[str, int]:
        out = {CRITICAL: 0, WARNING: 0, INFO: 0}
        for f in self.findings:
            out[f.severity] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "exit_code": self.exit_code,
            "summary": {"accounts": self.accounts, "admins": self.admins, **self.counts()},
            "findings": [f.to_dict() for f in self.findings],
            "incidents": list(self.incidents),
        }


def _finding(code: str, subject: str, **kw: Any) -> HygieneFinding:
    account = kw.pop("account", None)
    admin = kw.pop("admin", None)
    return HygieneFinding(code, CHECKS[code][0], subject, account, admin, kw)


def _domain_ok(email: str, domains: set[str]) -> bool:
    host = email.rsplit("@", 1)[-1].lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def run_audit(
    store: Store, *, now: datetime | None = None, open_incidents: bool = True
) -> HygieneReport:
    """Sync the inventory from smguard.toml, then audit every account and admin."""
    now = aware(now)
    sync_inventory(store, now=now)
    config = store.config
    settings = config.security
    findings: list[HygieneFinding] = []
    incidents: list[int] = []
    with store.session() as s:
        accounts = list(s.execute(select(SecAccount).order_by(SecAccount.name)).scalars())
        admins = list(s.execute(select(SecAdmin).order_by(SecAdmin.name)).scalars())
        seeds = {e.account_id: e for e in s.execute(select(SecVaultSeed)).scalars()}
        roles = list(s.execute(select(SecRole)).scalars())
        totps = {t.admin_id: t for t in s.execute(select(SecAdminTotp)).scalars()}
        left = unused_backup_codes(s)
        authored: dict[str, datetime] = {
            author: at
            for author, at in s.execute(
                select(CheckRecord.author, func.max(CheckRecord.created_at))
                .where(CheckRecord.author.is_not(None))
                .group_by(CheckRecord.author)
            )
            if author is not None and at is not None
        }
        by_id = {a.id: a for a in admins}
        departed = {a.name: a for a in admins if a.status == "departed"}

        if not settings.domains:
            findings.append(_finding("SMG-2FA-090", "organisation"))
        for acc in accounts:
            findings.extend(_account_findings(config, acc, seeds.get(acc.id), roles, by_id, now))
            for admin in departed.values():
                for kind, theirs in (
                    ("email", admin.email and acc.recovery_email == admin.email),
                    ("phone", admin.phone and acc.recovery_phone == admin.phone),
                ):
                    if theirs:
                        findings.append(
                            _finding(
                                "SMG-2FA-022",
                                f"account:{acc.name}",
                                account=acc.name,
                                admin=admin.name,
                                kind=kind,
                            )
                        )
            seed = seeds.get(acc.id)
            if seed is not None and seed.added_by in departed:
                findings.append(
                    _finding(
                        "SMG-2FA-023", f"account:{acc.name}", account=acc.name, admin=seed.added_by
                    )
                )

        for admin in admins:
            subject = f"admin:{admin.name}"
            held = sorted(f"{r.role}@{r.account}" for r in roles if r.admin_id == admin.id)
            totp = totps.get(admin.id)
            enrolled = bool(totp and totp.seed_ciphertext)
            if admin.status == "departed":
                if held:
                    findings.append(
                        _finding("SMG-2FA-020", subject, admin=admin.name, roles=", ".join(held))
                    )
                if enrolled or left.get(admin.id):
                    findings.append(_finding("SMG-2FA-021", subject, admin=admin.name))
                spec = config.admins.get(admin.name)
                if spec is not None and spec.status == "active":
                    findings.append(_finding("SMG-2FA-024", subject, admin=admin.name))
                continue
            if not enrolled:
                findings.append(_finding("SMG-2FA-010", subject, admin=admin.name))
            elif left.get(admin.id, 0) < settings.backup_codes_warn_below:
                findings.append(
                    _finding("SMG-2FA-011", subject, admin=admin.name, left=left.get(admin.id, 0))
                )
            last = max(
                t for t in (admin.last_active_at, authored.get(admin.name), admin.created_at) if t
            )
            idle = (now - last).days
            if idle >= settings.admin_idle_days:
                findings.append(_finding("SMG-2FA-012", subject, admin=admin.name, days=idle))

        findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.subject))
        if open_incidents:
            incidents = _open_incidents(store, s, findings)
    return HygieneReport(tuple(findings), len(accounts), len(admins), tuple(incidents))


def _account_findings(
    config: Any,
    acc: SecAccount,
    seed: SecVaultSeed | None,
    roles: list[SecRole],
    admins: Mapping[int, SecAdmin],
    now: datetime,
) -> list[HygieneFinding]:
    settings = config.security
    subject = f"account:{acc.name}"
    out: list[HygieneFinding] = []
    method = acc.two_factor
    if method == "none":
        out.append(_finding("SMG-2FA-001", subject, account=acc.name))
    elif method == "sms":
        out.append(_finding("SMG-2FA-002", subject, account=acc.name))
    elif method is None:
        out.append(_finding("SMG-2FA-003", subject, account=acc.name))
    elif method == "totp" and seed is None:
        out.append(_finding("SMG-2FA-004", subject, account=acc.name))
    if seed is not None:
        age = (now - seed.added_at).days
        if age > settings.seed_max_age_days:
            out.append(
                _finding(
                    "SMG-2FA-005",
                    subject,
                    account=acc.name,
                    age=age,
                    max_age=settings.seed_max_age_days,
                )
            )
    if not acc.recovery_email and not acc.recovery_phone:
        out.append(_finding("SMG-2FA-006", subject, account=acc.name))
    domains = set(settings.domains)
    if acc.name in config.accounts:
        domains |= set(config.accounts[acc.name].own_domains)
    if acc.recovery_email and settings.domains and not _domain_ok(acc.recovery_email, domains):
        out.append(
            _finding(
                "SMG-2FA-007",
                subject,
                account=acc.name,
                email=acc.recovery_email,
                domain=settings.domains[0],
            )
        )
    owned = any(
        r.role == "owner"
        and r.account in (acc.name, GLOBAL)
        and r.admin_id in admins
        and admins[r.admin_id].status == "active"
        for r in roles
    )
    if not owned:
        out.append(_finding("SMG-2FA-008", subject, account=acc.name))
    return out


def _open_incidents(store: Store, session: Any, findings: list[HygieneFinding]) -> list[int]:
    from smguard.records.incidents import open_incident_in

    lang = store.config.guard.ui_language
    out: list[int] = []
    for f in findings:
        if f.severity != CRITICAL:
            continue
        row, _created = open_incident_in(
            store,
            session,
            kind="twofa_hygiene",
            severity="critical",
            title=f"{f.code} {f.message.get(lang, f.message['en'])}",
            account=f.account,
            category=None,
            dedupe_key=f.dedupe_key,
            evidence=f.to_dict(),
            actor="smguard audit 2fa",
        )
        out.append(row.id)
    return out
