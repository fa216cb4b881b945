"""Accounts and their logins. Functions take a Session; the caller owns the transaction.

Only hashes are stored: the argon2id hash of each password (hashed and checked in
`services.accounts`) and the SHA-256 of each login token. Times are UTC; SQLite gives them back
without a zone, so every time read here is made aware again (`_utc`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qualkit.store.schema import AccountRow, LoginRow


@dataclass(frozen=True)
class Account:
    """An account as the services see it (never its password hash)."""

    id: int
    name: str
    role: str
    disabled: bool
    failures: int  # wrong passwords since the last good one
    retry_at: datetime | None  # no login attempt is checked before this time
    created_at: datetime


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _account(row: AccountRow) -> Account:
    return Account(row.id, row.name, row.role, bool(row.disabled), row.failures or 0, _utc(row.retry_at),
                   _utc(row.created_at) or row.created_at)


def any_account(session: Session) -> bool:
    """Whether the project has accounts at all: without one it stays one person's local project."""
    return session.scalar(select(AccountRow.id).limit(1)) is not None


def all_accounts(session: Session) -> list[Account]:
    """Every account, by name."""
    return [_account(row) for row in session.scalars(select(AccountRow).order_by(AccountRow.name))]


def account_named(session: Session, name: str) -> Account | None:
    row = session.scalar(select(AccountRow).where(AccountRow.name == name))
    return None if row is None else _account(row)


def password_hash(session: Session, account_id: int) -> str:
    """The stored argon2id hash, for checking a password against it."""
    return session.execute(select(AccountRow.password_hash).where(AccountRow.id == account_id)).scalar_one()


def add_account(session: Session, name: str, role: str, hashed: str) -> Account:
    row = AccountRow(name=name, role=role, password_hash=hashed, disabled=False, failures=0)
    session.add(row)
    session.flush()
    return _account(row)


def enabled_owners(session: Session) -> int:
    """How many accounts can still manage the others (so the last one is not demoted or disabled)."""
    return session.scalar(select(func.count(AccountRow.id)).where(
        AccountRow.role == "owner", AccountRow.disabled.is_(False))) or 0


def set_role(session: Session, account_id: int, role: str) -> None:
    session.get_one(AccountRow, account_id).role = role


def set_disabled(session: Session, account_id: int, disabled: bool) -> None:
    """Disabling also ends the account's logins, so an open browser session stops at its next step."""
    session.get_one(AccountRow, account_id).disabled = disabled
    if disabled:
        end_logins(session, account_id)


def set_password_hash(session: Session, account_id: int, hashed: str) -> None:
    """A new password (or a rehash with stronger parameters): failures are forgiven."""
    row = session.get_one(AccountRow, account_id)
    row.password_hash, row.failures, row.retry_at = hashed, 0, None


def record_failure(session: Session, account_id: int, retry_at: datetime | None) -> int:
    """Count one more wrong password and keep the time before which no attempt is checked; returns the
    count. Kept in the store so every app process and restart slows the same name down."""
    row = session.get_one(AccountRow, account_id)
    row.failures = (row.failures or 0) + 1
    row.retry_at = retry_at
    return row.failures


def record_success(session: Session, account_id: int) -> None:
    row = session.get_one(AccountRow, account_id)
    row.failures, row.retry_at = 0, None


def add_login(session: Session, account_id: int, token_hash: str, expires_at: datetime) -> None:
    session.add(LoginRow(account_id=account_id, token_hash=token_hash, expires_at=expires_at))


def logged_in_account(session: Session, token_hash: str, now: datetime) -> Account | None:
    """The account behind a login token that has not expired, ended or lost its account to `disabled`."""
    row = session.execute(select(AccountRow, LoginRow.expires_at).join(
        LoginRow, LoginRow.account_id == AccountRow.id).where(LoginRow.token_hash == token_hash)).first()
    if row is None or row[0].disabled or (_utc(row[1]) or now) <= now:
        return None
    return _account(row[0])


def end_login(session: Session, token_hash: str) -> None:
    session.execute(delete(LoginRow).where(LoginRow.token_hash == token_hash))


def end_logins(session: Session, account_id: int, *, expired_by: datetime | None = None) -> None:
    """End every login of an account (all of them, or only those expired by `expired_by`)."""
    query = delete(LoginRow).where(LoginRow.account_id == account_id)
    if expired_by is not None:
        query = query.where(LoginRow.expires_at <= expired_by)
    session.execute(query)
