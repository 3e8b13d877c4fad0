"""Users file, sign-in and the exposure rule: hashed passwords, roles -> scopes, loopback or not."""

from __future__ import annotations

import json
import logging
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from assistant.core.records import ACCESS_LEVELS, Scope
from assistant.core.settings import Settings
from assistant.services.users import (
    ADD_USER_HINT,
    ROLES,
    ExposureError,
    User,
    UsersError,
    UserStore,
    check_exposure,
    is_loopback,
    login_required,
    request_for,
    user_store,
    users_path,
)

PASSWORD = "correct paard batterij"


def cheap_hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def store(tmp_path: Path) -> UserStore:
    return UserStore(tmp_path / "home" / "gebruikers.json", hasher=cheap_hasher())


def test_add_then_authenticate(store: UserStore) -> None:
    added = store.add("anna", PASSWORD, "medewerker")
    assert added.name == "anna" and added.role == "medewerker" and added.created
    user = store.authenticate("anna", PASSWORD)
    assert user == added
    assert store.authenticate("ANNA ", PASSWORD) == added, "names match regardless of case and edges"


def test_wrong_password_and_unknown_user_are_refused(store: UserStore) -> None:
    store.add("anna", PASSWORD, "lezer")
    assert store.authenticate("anna", PASSWORD + "!") is None
    assert store.authenticate("anna", "") is None
    assert store.authenticate("bert", PASSWORD) is None


class SpyHasher(PasswordHasher):
    """A cheap hasher that records which hashes it verified against."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified.append(str(hash))
        return super().verify(hash, password)


def test_unknown_user_costs_an_argon2_verification(tmp_path: Path) -> None:
    hasher = SpyHasher()
    store = UserStore(tmp_path / "gebruikers.json", hasher=hasher)
    store.add("anna", PASSWORD, "lezer")
    assert store.authenticate("niemand", PASSWORD) is None
    assert len(hasher.verified) == 1 and hasher.verified[0].startswith("$argon2id$v=19$m=8,t=1,p=1$")
    stored = json.loads(store.path.read_text())["users"][0]["hash"]
    assert hasher.verified[0] != stored, "a dummy hash with the same parameters, not a real user's"
    assert store.authenticate("anna", "verkeerd wachtwoord") is None
    assert hasher.verified[1] == stored


def test_default_hasher_is_argon2_cffis_defaults(tmp_path: Path) -> None:
    hasher = UserStore(tmp_path / "u.json").hasher
    default = PasswordHasher()
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.type) == (
        default.time_cost,
        default.memory_cost,
        default.parallelism,
        default.type,
    )


def test_file_holds_a_hash_never_the_password_and_is_private(
    store: UserStore, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        store.add("anna", PASSWORD, "beheerder")
        store.authenticate("anna", PASSWORD)
        store.authenticate("anna", "fout wachtwoord")
    text = store.path.read_text()
    assert PASSWORD not in text
    assert PASSWORD not in caplog.text and "fout wachtwoord" not in caplog.text
    row = json.loads(text)["users"][0]
    assert set(row) == {"name", "hash", "role", "created"}
    assert row["hash"].startswith("$argon2id$")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert [p.name for p in store.path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_rewrite_makes_a_too_open_file_private_again(store: UserStore) -> None:
    store.add("anna", PASSWORD, "lezer")
    store.path.chmod(0o644)
    store.add("bert", PASSWORD, "lezer")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_list_has_no_hashes(store: UserStore) -> None:
    store.add("bert", PASSWORD, "lezer")
    store.add("anna", PASSWORD, "beheerder")
    users = store.list()
    assert [u.name for u in users] == ["anna", "bert"]
    assert all(isinstance(u, User) and not hasattr(u, "hash") for u in users)
    assert UserStore(store.path).list() == users, "a fresh store reads the same file"


@pytest.mark.parametrize(
    ("role", "level", "can_manage"),
    [("lezer", "openbaar", False), ("medewerker", "intern", False), ("beheerder", "vertrouwelijk", True)],
)
def test_role_decides_scope_and_permission(store: UserStore, role: str, level: str, can_manage: bool) -> None:
    user = store.add("anna", PASSWORD, role)
    assert user.access == level
    assert user.scope == Scope.upto(level)
    assert user.can_manage is can_manage
    request = request_for(user)
    assert request.user == "anna" and request.scope == Scope.upto(level)


def test_role_table_names_known_levels_and_only_beheerder_manages() -> None:
    assert all(role.access in ACCESS_LEVELS for role in ROLES.values())
    assert [name for name, role in ROLES.items() if role.can_manage] == ["beheerder"]
    assert Scope.upto(ROLES["lezer"].access).allows("openbaar")
    assert not Scope.upto(ROLES["lezer"].access).allows("intern")
    assert Scope.upto(ROLES["beheerder"].access).is_full


def test_duplicate_name_is_refused_unless_replaced(store: UserStore) -> None:
    first = store.add("anna", PASSWORD, "lezer")
    with pytest.raises(UsersError, match="gebruiker 'anna' bestaat al"):
        store.add("Anna", "een ander wachtwoord", "beheerder")
    assert store.authenticate("anna", PASSWORD) == first
    replaced = store.add("Anna", "een ander wachtwoord", "beheerder", replace=True)
    assert replaced.name == "anna" and replaced.role == "beheerder" and replaced.created == first.created
    assert store.authenticate("anna", PASSWORD) is None
    assert store.authenticate("anna", "een ander wachtwoord") == replaced
    assert len(store.list()) == 1


def test_unknown_role_lists_the_valid_ones(store: UserStore) -> None:
    with pytest.raises(UsersError, match="onbekende rol 'admin': kies uit lezer, medewerker, beheerder"):
        store.add("anna", PASSWORD, "admin")
    assert not store.path.exists()


def test_short_password_is_refused_without_echoing_it(store: UserStore) -> None:
    with pytest.raises(UsersError, match="wachtwoord te kort: gebruik minstens 10 tekens") as caught:
        store.add("anna", "kort12345", "lezer")
    assert "kort12345" not in str(caught.value)
    store.add("anna", "precies 10", "lezer")  # exactly ten characters is enough


@pytest.mark.parametrize("name", ["", "   ", "an na", "a/b", "x" * 65])
def test_invalid_names_are_refused(store: UserStore, name: str) -> None:
    with pytest.raises(UsersError, match="ongeldige gebruikersnaam"):
        store.add(name, PASSWORD, "lezer")


def test_remove(store: UserStore) -> None:
    store.add("anna", PASSWORD, "lezer")
    store.add("bert", PASSWORD, "lezer")
    assert store.remove("ANNA").name == "anna"
    assert [u.name for u in store.list()] == ["bert"]
    assert store.authenticate("anna", PASSWORD) is None
    with pytest.raises(UsersError, match="gebruiker 'anna' bestaat niet"):
        store.remove("anna")


def test_missing_file_has_no_users_and_damaged_file_is_an_error(store: UserStore) -> None:
    assert store.list() == [] and store.authenticate("anna", PASSWORD) is None
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{niet json")
    with pytest.raises(UsersError, match="beschadigd"):
        store.list()
    store.path.write_text(
        json.dumps({"version": 1, "users": [{"name": "x", "hash": "h", "role": "god", "created": ""}]})
    )
    with pytest.raises(UsersError, match="onbekende rol 'god'"):
        store.authenticate("x", PASSWORD)


def test_outdated_hash_is_renewed_at_sign_in(tmp_path: Path) -> None:
    path = tmp_path / "gebruikers.json"
    UserStore(path, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)).add(
        "anna", PASSWORD, "lezer"
    )
    old_hash = json.loads(path.read_text())["users"][0]["hash"]
    newer = UserStore(path, hasher=PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert newer.hasher.check_needs_rehash(old_hash)

    assert newer.authenticate("anna", PASSWORD) is not None
    new_hash = json.loads(path.read_text())["users"][0]["hash"]
    assert new_hash != old_hash and "m=16,t=2,p=1" in new_hash
    assert not newer.hasher.check_needs_rehash(new_hash)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert newer.authenticate("anna", PASSWORD) is not None
    assert json.loads(path.read_text())["users"][0]["hash"] == new_hash, "a current hash is left alone"


def test_wrong_password_does_not_rehash(tmp_path: Path) -> None:
    path = tmp_path / "gebruikers.json"
    UserStore(path, hasher=cheap_hasher()).add("anna", PASSWORD, "lezer")
    before = path.read_text()
    newer = UserStore(path, hasher=PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert newer.authenticate("anna", "verkeerd wachtwoord") is None
    assert path.read_text() == before


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.1.10", False),
        ("10.0.0.1", False),
        ("2001:db8::1", False),
        ("example.org", False),
        ("localhost.example.org", False),
        ("128.0.0.1", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_login_required_beyond_loopback_or_when_configured() -> None:
    assert not login_required("127.0.0.1")
    assert login_required("127.0.0.1", require_login=True)
    assert login_required("0.0.0.0")


def test_check_exposure_refuses_open_host_without_users(store: UserStore) -> None:
    with pytest.raises(ExposureError, match="lobby users add NAAM --rol beheerder") as caught:
        check_exposure("0.0.0.0", store)
    assert ADD_USER_HINT in str(caught.value) and str(store.path) in str(caught.value)
    assert check_exposure("127.0.0.1", store) is False, "loopback without users is allowed, no sign-in"
    with pytest.raises(ExposureError, match="LOBBY_REQUIRE_LOGIN"):
        check_exposure("127.0.0.1", store, require_login=True)


def test_check_exposure_allows_open_host_with_a_user(store: UserStore) -> None:
    store.add("anna", PASSWORD, "beheerder")
    assert check_exposure("0.0.0.0", store) is True
    assert check_exposure("127.0.0.1", store, require_login=True) is True
    assert check_exposure("localhost", store) is False


def test_settings_name_the_users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOBBY_USERS_FILE", raising=False)
    monkeypatch.delenv("LOBBY_REQUIRE_LOGIN", raising=False)
    settings = Settings(home=tmp_path / "home")
    assert settings.users_file is None and settings.require_login is False
    assert users_path(settings) == tmp_path / "home" / "gebruikers.json"
    monkeypatch.setenv("LOBBY_USERS_FILE", str(tmp_path / "elders.json"))
    monkeypatch.setenv("LOBBY_REQUIRE_LOGIN", "true")
    settings = Settings(home=tmp_path / "home")
    assert user_store(settings).path == tmp_path / "elders.json"
    assert settings.require_login is True


def test_rehash_that_cannot_be_written_still_signs_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "gebruikers.json"
    UserStore(path, hasher=cheap_hasher()).add("anna", PASSWORD, "lezer")
    before = path.read_text()
    newer = UserStore(path, hasher=PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))

    def fail(entries: object) -> None:
        raise PermissionError("alleen-lezen")

    monkeypatch.setattr(newer, "_write", fail)
    with caplog.at_level(logging.WARNING):
        assert newer.authenticate("anna", PASSWORD) is not None
    assert "could not renew" in caplog.text and PASSWORD not in caplog.text
    assert path.read_text() == before


def test_concurrent_adds_all_land(store: UserStore) -> None:
    names = [f"gebruiker{i}" for i in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda n: store.add(n, PASSWORD, "lezer"), names))
    assert sorted(u.name for u in store.list()) == sorted(names)
