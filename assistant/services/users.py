"""Users of the web app: names, roles and argon2id password hashes in one JSON file, and sign-in.

* The users file (``LOBBY_USERS_FILE``, default ``gebruikers.json`` in ``LOBBY_HOME``) holds per user
  the name, the argon2id hash of the password, the role and when the user was created. A plain password
  is never stored, logged or put in an error message. The file is written atomically (a temporary file
  beside it, then a rename) with mode 0600, under a lock, so the CLI and a running app can both write it.
* A role decides what a user sees and may do (:data:`ROLES`): ``lezer`` sees ``openbaar`` documents,
  ``medewerker`` also ``intern`` ones, ``beheerder`` everything and may add and remove documents.
* Exposure rule: the app asks for sign-in whenever it listens on an address other than this machine's
  own (loopback); on loopback only when ``LOBBY_REQUIRE_LOGIN`` is set. It refuses to listen beyond
  loopback while the users file holds no users (:func:`check_exposure`).

The file is read on every call, so a user added or removed with the CLI counts at the next sign-in of a
running app without a restart.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import json
import logging
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from assistant.core.records import Scope
from assistant.core.settings import Settings
from assistant.services.requests import Request

log = logging.getLogger(__name__)

#: Shortest password :meth:`UserStore.add` accepts, in characters.
MIN_PASSWORD_LENGTH = 10

#: What :func:`check_exposure` tells an operator to run (the CLI command that adds a user).
ADD_USER_HINT = "lobby users add NAAM --rol beheerder"

_FILE_VERSION = 1
_NAME = re.compile(r"[\w.@-]{1,64}")


@dataclass(frozen=True, slots=True)
class Role:
    """What a role may see (``access``: the highest access level) and do (``can_manage`` documents)."""

    name: str
    access: str
    can_manage: bool
    description: str


#: The one role table: role name -> what it may see and do. Least access first.
ROLES: Mapping[str, Role] = MappingProxyType(
    {
        "lezer": Role("lezer", "openbaar", can_manage=False, description="leest openbare documenten"),
        "medewerker": Role(
            "medewerker", "intern", can_manage=False, description="leest openbare en interne documenten"
        ),
        "beheerder": Role(
            "beheerder",
            "vertrouwelijk",
            can_manage=True,
            description="leest alle documenten en mag documenten toevoegen en verwijderen",
        ),
    }
)


class UsersError(ValueError):
    """A users-file request that cannot be done; the message is Dutch and says why."""


class ExposureError(UsersError):
    """The app would listen beyond this machine while nobody can sign in; the message says what to do."""


@dataclass(frozen=True, slots=True)
class User:
    """A user as the app sees them: no password hash, only who they are and what their role allows."""

    name: str
    role: str
    created: str

    @property
    def access(self) -> str:
        """The highest access level this user may see."""
        return ROLES[self.role].access

    @property
    def scope(self) -> Scope:
        return Scope.upto(self.access)

    @property
    def can_manage(self) -> bool:
        """Whether this user may upload and remove documents."""
        return ROLES[self.role].can_manage


@dataclass(frozen=True, slots=True)
class _Entry:
    """One user as stored: the public record plus the password hash."""

    user: User
    hash: str

    def to_json(self) -> dict[str, str]:
        return {
            "name": self.user.name,
            "hash": self.hash,
            "role": self.user.role,
            "created": self.user.created,
        }


def users_path(settings: Settings) -> Path:
    """The users file: ``LOBBY_USERS_FILE``, or ``gebruikers.json`` in ``LOBBY_HOME``."""
    return settings.users_file if settings.users_file is not None else settings.home / "gebruikers.json"


def user_store(settings: Settings) -> UserStore:
    """The users file of these settings, with argon2-cffi's default parameters."""
    return UserStore(users_path(settings))


def request_for(user: User) -> Request:
    """A new request on behalf of ``user``: their name and the scope their role allows."""
    return Request(user=user.name, scope=user.scope)


def valid_roles() -> str:
    """The role names, least access first, for messages and help texts: ``lezer, medewerker, beheerder``."""
    return ", ".join(ROLES)


_PROCESS_LOCK = threading.Lock()


class UserStore:
    """The users file at ``path``: add, remove, list and sign in users.

    ``hasher`` is argon2-cffi's :class:`PasswordHasher` with its default (argon2id) parameters unless one
    is given; tests pass a cheap one. A stored hash made with other parameters is replaced at the user's
    next successful sign-in.
    """

    def __init__(self, path: Path, *, hasher: PasswordHasher | None = None) -> None:
        self.path = Path(path)
        self.hasher = hasher if hasher is not None else PasswordHasher()

    # -- reading and writing -------------------------------------------------------------------------

    def _read(self) -> dict[str, _Entry]:
        """Every stored user by folded name; an absent file holds none. A damaged file is an error."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise UsersError(f"gebruikersbestand {self.path} is niet te lezen: {exc.strerror}") from exc
        try:
            data = json.loads(raw)
            rows = data["users"]
            entries = [_parse_entry(row) for row in rows]
        except (ValueError, KeyError, TypeError) as exc:
            raise UsersError(f"gebruikersbestand {self.path} is beschadigd: {exc}") from exc
        return {_key(e.user.name): e for e in entries}

    def _write(self, entries: Mapping[str, _Entry]) -> None:
        """Replace the file atomically with ``entries``; the new file has mode 0600 from its creation."""
        data = {
            "version": _FILE_VERSION,
            "users": [e.to_json() for e in sorted(entries.values(), key=lambda e: _key(e.user.name))],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp creates the file with mode 0600, so the hashes are never readable by others, not even
        # for a moment; the rename keeps that mode.
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, ensure_ascii=False, indent=2)
                f.write("\n")
                f.flush()
                os.fsync(f.fileno())
            Path(tmp).chmod(0o600)
            Path(tmp).replace(self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, _Entry]]:
        """Read the users under a lock that holds off other threads and processes until the write."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(f".{self.path.name}.lock")
        with _PROCESS_LOCK, lock_path.open("a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield self._read()
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    @cached_property
    def _dummy_hash(self) -> str:
        """A hash of a random secret, verified against when a name is unknown, so both cost the same."""
        return self.hasher.hash(secrets.token_urlsafe(16))

    # -- the public calls ----------------------------------------------------------------------------

    def list(self) -> list[User]:
        """Every user, by name (no hashes)."""
        return [e.user for _, e in sorted(self._read().items())]

    def get(self, name: str) -> User | None:
        """The user called ``name`` (names are matched regardless of case), or ``None``."""
        entry = self._read().get(_key(name))
        return entry.user if entry else None

    def add(self, name: str, password: str, role: str, *, replace: bool = False) -> User:
        """Add a user with ``role``; with ``replace`` an existing user gets the new password and role.

        Raises :class:`UsersError` (in Dutch) for an invalid or existing name, an unknown role or a
        password shorter than :data:`MIN_PASSWORD_LENGTH` characters.
        """
        name = name.strip()
        if not _NAME.fullmatch(name):
            raise UsersError(
                f"ongeldige gebruikersnaam '{name}': gebruik 1 tot 64 letters, cijfers of de tekens . _ - @"
            )
        if role not in ROLES:
            raise UsersError(f"onbekende rol '{role}': kies uit {valid_roles()}")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise UsersError(f"wachtwoord te kort: gebruik minstens {MIN_PASSWORD_LENGTH} tekens")
        hashed = self.hasher.hash(password)
        with self._locked() as entries:
            old = entries.get(_key(name))
            if old is not None and not replace:
                raise UsersError(
                    f"gebruiker '{old.user.name}' bestaat al; kies een andere naam of vervang de gebruiker"
                )
            created = old.user.created if old else datetime.now(UTC).isoformat(timespec="seconds")
            user = User(name=old.user.name if old else name, role=role, created=created)
            entries[_key(name)] = _Entry(user, hashed)
            self._write(entries)
        log.info("user %s %s with role %s", user.name, "replaced" if old else "added", role)
        return user

    def remove(self, name: str) -> User:
        """Remove the user called ``name``; :class:`UsersError` when there is none."""
        with self._locked() as entries:
            entry = entries.pop(_key(name), None)
            if entry is None:
                raise UsersError(f"gebruiker '{name.strip()}' bestaat niet")
            self._write(entries)
        log.info("user %s removed", entry.user.name)
        return entry.user

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs, else ``None`` (also for an unknown name).

        An unknown name costs the same argon2 verification as a wrong password, so the time taken does
        not tell which names exist. A hash made with parameters other than the hasher's is replaced with
        a fresh one after a successful sign-in.
        """
        dummy = self._dummy_hash
        entry = self._read().get(_key(name))
        try:
            self.hasher.verify(entry.hash if entry else dummy, password)
        except (VerificationError, InvalidHashError):
            return None
        if entry is None:  # pragma: no cover - the dummy secret is random and never given out
            return None
        if self.hasher.check_needs_rehash(entry.hash):
            self._rehash(entry, password)
        return entry.user

    def _rehash(self, entry: _Entry, password: str) -> None:
        """Store a hash with the current parameters, unless the user changed meanwhile; never fatal."""
        try:
            fresh = self.hasher.hash(password)
            with self._locked() as entries:
                current = entries.get(_key(entry.user.name))
                if current is None or current.hash != entry.hash:
                    return
                entries[_key(entry.user.name)] = _Entry(current.user, fresh)
                self._write(entries)
            log.info("password hash of user %s renewed with the current parameters", entry.user.name)
        except (OSError, UsersError) as exc:
            log.warning("could not renew the password hash of user %s: %s", entry.user.name, exc)


def _key(name: str) -> str:
    return name.strip().casefold()


def _parse_entry(row: Any) -> _Entry:
    """One stored user; raises ``ValueError``/``KeyError``/``TypeError`` on anything malformed."""
    name, hashed, role, created = (row[k] for k in ("name", "hash", "role", "created"))
    if not all(isinstance(v, str) for v in (name, hashed, role, created)):
        raise TypeError(f"gebruiker {name!r}: velden moeten tekst zijn")
    if role not in ROLES:
        raise ValueError(f"gebruiker '{name}' heeft onbekende rol '{role}' (kies uit {valid_roles()})")
    return _Entry(User(name=name, role=role, created=created), hashed)


# -- exposure rule ---------------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """Whether ``host`` reaches this machine only: ``localhost``, ``127.x.x.x``, ``::1``.

    ``0.0.0.0`` and ``::`` (every address), real addresses and any other name are not loopback, nor is
    an empty host: when in doubt, sign-in is required.
    """
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host in ("localhost", "localhost."):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def login_required(host: str, *, require_login: bool = False) -> bool:
    """Whether the app must ask for sign-in: always beyond loopback, on loopback when configured."""
    return require_login or not is_loopback(host)


def check_exposure(host: str, store: UserStore, *, require_login: bool = False) -> bool:
    """Refuse to serve on ``host`` when sign-in is required and nobody can sign in; else whether it is.

    Raises :class:`ExposureError` (in Dutch, naming the command that adds a user) when ``host`` is not
    loopback, or ``require_login`` is set, and the users file has no users. Returns whether the app must
    ask for sign-in (:func:`login_required`).
    """
    required = login_required(host, require_login=require_login)
    if required and not store.list():
        where = (
            f"het adres {host or '(leeg)'} is niet alleen vanaf deze computer bereikbaar"
            if not is_loopback(host)
            else "LOBBY_REQUIRE_LOGIN staat aan"
        )
        raise ExposureError(
            f"Aanmelden is verplicht ({where}), maar er zijn nog geen gebruikers in {store.path}. "
            f"Voeg eerst een gebruiker toe: {ADD_USER_HINT}"
        )
    return required
