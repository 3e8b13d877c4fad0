"""Access levels: ``.toegang`` files, scopes on every path a document can reach a user, the audit log.

The archive here has documents at all three levels, each carrying a canary word of its own. A user may
see a canary, doc id, title or file name only of their level or below; the property test sends 1,000
random operations (search, answer, answer through a model that repeats its whole prompt, library
listing, opening a passage, draft) for random users and finds none above their level. Non-interference
goes further: what a reader sees over the whole archive equals what they see over an archive holding
only the documents of their level, so not even statistics (BM25, the gate) carry confidential words.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app.cli import app
from assistant.core.records import ACCESS_LEVELS, Scope
from assistant.core.settings import Settings
from assistant.services.audit import read_audit
from assistant.services.library import LibraryError, Upload
from assistant.services.requests import Request
from assistant.services.users import ROLES, User, request_for
from assistant.services.wiring import Services
from ingest.access import AccessError, level_of, parse_level

from .archive_helpers import services_over

TOPICS = [
    (
        "windenergie op land",
        "De provincies vragen het Rijk om ruimte voor windenergie op land en netcapaciteit.",
    ),
    (
        "stikstof",
        "Voor de stikstofaanpak vragen de provincies meerjarige middelen en een heldere rolverdeling.",
    ),
    (
        "Studenten Reis Product",
        "Door de herijking van het Studenten Reis Product dreigt een tekort in het OV.",
    ),
    ("woningbouw", "De provincies willen snelheid in de woningbouw en afspraken over de bouwlocaties."),
]

#: Archive path -> level the document must get (a folder ``.toegang``, a deeper one, a sidecar, default).
LAYOUT = {
    "openbaar/brief-1.md": "openbaar",
    "openbaar/brief-2.md": "openbaar",
    "openbaar/geheim-bijlage.md": "vertrouwelijk",  # sidecar geheim-bijlage.md.toegang raises it
    "intern/notitie-1.md": "intern",
    "intern/notitie-2.md": "intern",
    "intern/strategie/plan-1.md": "vertrouwelijk",  # intern/strategie/.toegang overrides intern/.toegang
    "vertrouwelijk/onderhandeling-1.md": "vertrouwelijk",
    "vertrouwelijk/onderhandeling-2.md": "vertrouwelijk",
    "vertrouwelijk/persbericht.md": "openbaar",  # sidecar persbericht.toegang (stem form) lowers it
}
LEVEL_FILES = {
    "intern/.toegang": "intern\n",
    "intern/strategie/.toegang": "# besloten stukken\nVertrouwelijk\n",
    "vertrouwelijk/.toegang": "vertrouwelijk",
    "openbaar/geheim-bijlage.md.toegang": "vertrouwelijk",
    "vertrouwelijk/persbericht.toegang": "openbaar",
}


def canary(source: str) -> str:
    """A word only this document holds, which queries use to pull it up (letters only: one token)."""
    return "kanarie" + "".join(c for c in source if c.isalpha())


def secret(source: str) -> str:
    """A second word only this document holds, never in a query: seeing it means seeing the document
    (a canary may come back to its asker as an echo of their own question, which is no leak)."""
    return "schat" + hashlib.sha1(source.encode()).hexdigest()[:12]


def write_archive(root: Path, only: set[str] | None = None) -> Path:
    """The layered archive; ``only`` keeps just these levels (the reference for non-interference)."""
    for number, (source, level) in enumerate(LAYOUT.items()):
        if only is not None and level not in only:
            continue
        subject, sentence = TOPICS[number % len(TOPICS)]
        text = (
            f"# {subject.capitalize()}: {Path(source).stem}\n\nDatum: {1 + number} oktober 2024\n\n"
            f"{sentence} Het kenmerk van dit stuk is {canary(source)} en de code {secret(source)}. "
            f"Over {subject} zegt dit stuk ook dat afspraken nodig zijn.\n"
        )
        path = root / source
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, text in LEVEL_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def layered(tmp_path_factory: pytest.TempPathFactory) -> Services:
    tmp = tmp_path_factory.mktemp("layered")
    return services_over(tmp, write_archive(tmp / "archief"))


# --- where a level comes from -------------------------------------------------------------------------


def test_parse_level_takes_one_known_word_ignoring_case_and_comments() -> None:
    assert parse_level("  Intern \n", where="x") == "intern"
    assert parse_level("# alleen voor de directie\nVERTROUWELIJK\n\n", where="x") == "vertrouwelijk"
    for bad in ["", "geheim", "intern openbaar", "# alleen commentaar"]:
        with pytest.raises(AccessError, match="verwacht één van: openbaar, intern, vertrouwelijk"):
            parse_level(bad, where="map/.toegang")


def test_level_of_folder_nested_folder_sidecars_and_default(tmp_path: Path) -> None:
    root = write_archive(tmp_path / "archief")
    for source, level in LAYOUT.items():
        assert level_of(root / source, root, "openbaar") == level, source
    (root / "los.md").write_text("x")
    assert level_of(root / "los.md", root, "intern") == "intern"  # the configured default


def test_folder_level_applies_when_a_single_file_is_ingested(tmp_path: Path) -> None:
    """A file ingested on its own (an upload) gets the level its folder gives it, not the default."""
    root = write_archive(tmp_path / "archief")
    file = root / "intern" / "strategie" / "plan-1.md"
    assert level_of(file, file.parent, "openbaar") == "vertrouwelijk"


def test_every_chunk_carries_its_documents_level_and_level_files_are_not_documents(layered: Services) -> None:
    by_source = {meta["source"]: meta["access"] for _, meta in layered.index.store.metadatas()}
    assert by_source == LAYOUT  # nine documents; no ``.toegang`` file was ingested as one
    listed = {d.files[0]: d.access for d in layered.library.documents(Request())}
    assert listed == LAYOUT  # the library shows each document's level


def test_malformed_level_file_fails_its_files_closed_and_the_rest_is_ingested(tmp_path: Path) -> None:
    root = write_archive(tmp_path / "archief")
    (root / "intern" / ".toegang").write_text("geheim\n")
    settings = Settings(home=tmp_path / "home", embedding_model="fake", archive=root)
    report = Services(settings).library.ingest(Request(), [root])
    failed = {f.source: f.reason for f in report.failed}
    assert set(failed) == {"intern/notitie-1.md", "intern/notitie-2.md"}  # strategie/ has its own level
    assert all("toegangsbestand intern/.toegang bevat 'geheim'" in r for r in failed.values())
    assert report.added == len(LAYOUT) - 2


def test_changed_level_file_rewrites_the_documents_level_on_the_next_run(tmp_path: Path) -> None:
    root = write_archive(tmp_path / "archief")
    services = services_over(tmp_path, root)
    (root / "intern" / ".toegang").write_text("vertrouwelijk")
    report = services.library.ingest(Request(), [root])
    assert (report.updated, report.unchanged) == (2, len(LAYOUT) - 2)
    levels = {meta["source"]: meta["access"] for _, meta in services.index.store.metadatas()}
    assert levels["intern/notitie-1.md"] == "vertrouwelijk"
    reader = request_for(User("lees", "medewerker", ""))
    assert not [h for h in services.search.search(reader, canary("intern/notitie-1.md"), k=9)
                if h.source == "intern/notitie-1.md"]  # fmt: skip


# --- the property test: no leak over 1,000 random operations ---------------------------------------------


def _forbidden(scope: Scope, doc_ids: dict[str, str]) -> list[str]:
    """What a user of ``scope`` must never see: the secret, file name, title and doc id of a document
    above their level."""
    hidden = [source for source, level in LAYOUT.items() if not scope.allows(level)]
    return [needle for source in hidden for needle in (secret(source), Path(source).stem, doc_ids[source])]


def _operations(services: Services, echo: Services, seed: int) -> Iterator[tuple[User, str, str]]:
    """(user, operation, everything the user was shown as one text) for random users and operations."""
    rng = random.Random(seed)
    users = [User(f"{role}-{i}", role, "") for role in ROLES for i in range(2)]
    chunk_ids = [chunk_id for chunk_id, _ in services.index.store.metadatas()]
    words = [canary(s) for s in LAYOUT] + [t for t, _ in TOPICS] + ["afspraken", "provincies", "kenmerk"]
    for _ in range(1000):
        user = rng.choice(users)
        request = request_for(user)
        query = " ".join(rng.sample(words, rng.randint(1, 3)))
        operation = rng.choices(
            ["search", "ask", "echo", "documents", "open", "draft"], [40, 20, 15, 10, 10, 5]
        )[0]
        if operation == "search":
            shown = [h.to_json() for h in services.search.search(request, query, k=rng.randint(1, 12))]
        elif operation == "ask":
            shown = services.chat.ask(request, f"Wat zei het IPO over {query}?").to_json()
        elif operation == "echo":  # a model that repeats its prompt: whatever reached the prompt is shown
            shown = echo.chat.ask(request, f"Wat zei het IPO over {query}?").to_json()
        elif operation == "documents":
            shown = [d.to_json() for d in services.library.documents(request)]
        elif operation == "open":
            try:
                shown = {"text": services.library.open(request, rng.choice(chunk_ids)).text}
            except LibraryError as error:
                shown = {"error": str(error)}
        else:
            draft = echo.drafting.draft(request, "kernboodschappen", query)
            shown = draft.to_json()
        yield user, operation, json.dumps(shown, ensure_ascii=False)


def test_no_user_sees_anything_of_a_document_above_their_level(layered: Services) -> None:
    echo = Services(layered.settings.model_copy(update={"llm": "fake"}), index=layered.index)
    doc_ids = {str(m["source"]): str(m["doc_id"]) for _, m in layered.index.store.metadatas()}
    counts: dict[str, int] = {}
    seen_higher = 0
    for user, operation, text in _operations(layered, echo, seed=13):
        counts[operation] = counts.get(operation, 0) + 1
        leaked = [needle for needle in _forbidden(user.scope, doc_ids) if needle.lower() in text.lower()]
        assert not leaked, f"{user.role} saw {leaked} through {operation}: {text[:300]}"
        seen_higher += user.role == "beheerder" and secret("vertrouwelijk/onderhandeling-1.md") in text
    assert sum(counts.values()) == 1000 and min(counts.values()) >= 20, counts
    assert seen_higher > 0  # the full scope does see confidential documents: the test can see a leak


def test_opening_a_hidden_passage_reads_like_a_missing_one(layered: Services) -> None:
    """No existence oracle: the refusal for a confidential chunk is the one for a chunk id that is no id."""
    secret = next(i for i, m in layered.index.store.metadatas() if m["access"] == "vertrouwelijk")
    reader = request_for(User("lees", "lezer", ""))
    with pytest.raises(LibraryError) as hidden:
        layered.library.open(reader, secret)
    with pytest.raises(LibraryError) as missing:
        layered.library.open(reader, "bestaat-niet")
    assert str(hidden.value).replace(secret, "X") == str(missing.value).replace("bestaat-niet", "X")


@pytest.mark.parametrize("level", ACCESS_LEVELS)
def test_what_a_user_sees_equals_an_archive_of_only_their_levels(level: str, layered: Services,
                                                                  tmp_path: Path) -> None:  # fmt: skip
    """Non-interference: ranking, scores, gate decisions and answers do not depend on hidden documents."""
    scope = Scope.upto(level)
    only = services_over(tmp_path, write_archive(tmp_path / "archief", only=set(scope.levels)))
    # Same paths under a different root: compare what the user reads, not where the store keeps it.
    rng = random.Random(level)
    words = [canary(s) for s in LAYOUT] + [t for t, _ in TOPICS] + ["afspraken", "provincies"]
    for _ in range(40):
        query = " ".join(rng.sample(words, rng.randint(1, 3)))
        request = Request(scope=scope)
        full = layered.search.search(request, query, k=6)
        alone = only.search.search(Request(scope=scope), query, k=6)
        assert [(h.source, h.text, round(h.score, 9)) for h in full] == [
            (h.source, h.text, round(h.score, 9)) for h in alone
        ], query
        asked = f"Wat zei het IPO over {query}?"
        a, b = layered.chat.ask(Request(scope=scope), asked), only.chat.ask(Request(scope=scope), asked)
        assert (a.refused, a.text, [c.source for c in a.citations]) == (
            b.refused, b.text, [c.source for c in b.citations]
        ), asked  # fmt: skip


# --- the command line's --scope, and the audit log ------------------------------------------------------


def test_cli_scope_is_exactly_a_signed_in_users_scope(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_archive(tmp_path / "archief")
    monkeypatch.setenv("LOBBY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOBBY_EMBEDDING_MODEL", "fake")
    assert CliRunner().invoke(app, ["ingest", str(root), "--json"]).exit_code == 0
    services = Services(Settings(home=tmp_path / "home", embedding_model="fake"))
    for role in ROLES.values():
        for query in ["afspraken windenergie", canary("intern/strategie/plan-1.md"), "stikstof kenmerk"]:
            result = CliRunner().invoke(app, ["search", query, "--json", "-k", "9", "--scope", role.access])
            assert result.exit_code == 0, result.output
            web = services.search.search(request_for(User("x", role.name, "")), query, k=9)
            assert [h["chunk_id"] for h in json.loads(result.stdout)] == [h.chunk_id for h in web]
    bad = CliRunner().invoke(app, ["ask", "iets", "--scope", "geheim"])
    assert bad.exit_code == 2 and "onbekend toegangsniveau 'geheim'" in bad.stderr


def test_audit_log_records_who_asked_what_which_documents_were_shown_and_changes(tmp_path: Path) -> None:
    services = services_over(tmp_path, write_archive(tmp_path / "archief"))
    anna = request_for(User("anna", "medewerker", ""))
    hits = services.search.search(anna, "windenergie op land", k=3)
    answer = services.chat.ask(request_for(User("anna", "medewerker", "")), "Wat zei het IPO over stikstof?")
    services.library.upload(
        request_for(User("beheer", "beheerder", "")), [Upload("nieuw.md", b"# Nieuw\n\nTekst.")]
    )
    doc_id = next(d.doc_id for d in services.library.documents(Request()) if d.files[0].endswith("nieuw.md"))
    services.library.remove(request_for(User("beheer", "beheerder", "")), doc_id)
    with pytest.raises(LibraryError):
        services.library.open(anna, "bestaat-niet")

    lines = read_audit(tmp_path / "home" / "audit.jsonl")
    actions = [(line["user"], line["action"]) for line in lines]
    assert actions == [
        ("lokaal", "ingest"), ("anna", "search"), ("anna", "ask"), ("beheer", "upload"),
        ("lokaal", "documents"), ("beheer", "remove"), ("anna", "open"),
    ]  # fmt: skip
    search, ask, upload, _, remove, failed = lines[1:]
    assert search["detail"] == "windenergie op land" and search["scope"] == ["openbaar", "intern"]
    assert search["documents"] == list(dict.fromkeys(h.doc_id for h in hits))
    assert (
        ask["documents"] == list(dict.fromkeys(c.doc_id for c in answer.citations)) and ask["outcome"] == "ok"
    )
    assert upload["detail"] == "nieuw.md" and upload["documents"] == [doc_id]
    assert remove["documents"] == [doc_id] and remove["detail"].endswith("nieuw.md")
    assert failed["outcome"] == "fout: LibraryError"
    assert (tmp_path / "home" / "audit.jsonl").stat().st_mode & 0o777 == 0o600


def test_a_draft_is_one_audit_line_even_when_it_lists_the_library(tmp_path: Path) -> None:
    services = services_over(tmp_path, write_archive(tmp_path / "archief"), llm="fake")
    source = "openbaar/brief-1.md"
    services.drafting.draft(Request(user="piet"), "kernboodschappen", "windenergie", pinned=[source])
    lines = [line for line in read_audit(tmp_path / "home" / "audit.jsonl") if line["user"] == "piet"]
    assert [line["action"] for line in lines] == ["draft"]
    assert lines[0]["detail"] == "kernboodschappen: windenergie" and lines[0]["documents"]


def test_over_http_each_signed_in_role_gets_only_its_levels(tmp_path: Path) -> None:
    """The same rule through the served app: sign-in, role, scope, the ``/ask`` API."""
    from gradio_client import Client

    from assistant.services.users import user_store

    from .web_helpers import running

    services = services_over(tmp_path, write_archive(tmp_path / "archief"), require_login=True)
    users = user_store(services.settings)
    for role in ROLES:
        users.add(f"{role}1", f"wachtwoord-van-{role}", role)
    doc_ids = {str(m["source"]): str(m["doc_id"]) for _, m in services.index.store.metadatas()}
    question = f"Wat zei het IPO over {canary('vertrouwelijk/onderhandeling-1.md')} en windenergie op land?"
    with running(services) as url:
        for role, info in ROLES.items():
            client = Client(
                url, auth=(f"{role}1", f"wachtwoord-van-{role}"), verbose=False, download_files=False
            )
            shown = json.dumps(client.predict(question, api_name="/ask"), ensure_ascii=False)
            leaked = [n for n in _forbidden(Scope.upto(info.access), doc_ids) if n.lower() in shown.lower()]
            assert not leaked, (role, leaked)
            if role == "beheerder":
                assert secret("vertrouwelijk/onderhandeling-1.md") in shown
    users_seen = {
        line["user"] for line in read_audit(services.settings.audit_path) if line["action"] == "ask"
    }
    assert users_seen == {f"{role}1" for role in ROLES}


def test_an_upload_with_a_level_is_never_in_the_archive_without_it(tmp_path: Path) -> None:
    services = services_over(tmp_path, write_archive(tmp_path / "archief"))
    manager = request_for(User("baas", "beheerder", ""))
    report = services.library.upload(manager, [Upload("strategie.md", b"# Strategie\n\nDe inzet is geheim.")],
                                     access="vertrouwelijk")  # fmt: skip
    assert [(f.source, f.status) for f in report.files] == [("uploads/vertrouwelijk/strategie.md", "added")]
    stored = services.settings.archive / "uploads" / "vertrouwelijk"
    assert (stored / ".toegang").read_text().strip() == "vertrouwelijk" and (stored / "strategie.md").exists()
    levels = {str(m["source"]): m["access"] for _, m in services.index.store.metadatas()}
    assert levels["uploads/vertrouwelijk/strategie.md"] == "vertrouwelijk"
    reader = request_for(User("lees", "medewerker", ""))
    assert all(
        "strategie" not in h.source for h in services.search.search(reader, "strategie inzet geheim", k=9)
    )
    # A whole-archive ingest later keeps it as it is (the folder's .toegang, not the default).
    again = services.library.ingest(Request(), [services.settings.archive])
    assert again.unchanged == len(LAYOUT) + 1 and not again.updated
    (stored / ".toegang").write_text("intern")
    with pytest.raises(LibraryError, match="heeft toegangsniveau intern, niet vertrouwelijk"):
        services.library.upload(
            manager, [Upload("nog-een.md", b"# Nog een\n\nTekst.")], access="vertrouwelijk"
        )
    with pytest.raises(LibraryError, match="onbekend toegangsniveau 'geheim'"):
        services.library.upload(manager, [Upload("x.md", b"# X\n\nTekst.")], access="geheim")
