"""One long-running process: searches on several threads while another thread ingests and removes files.

The searching side and the writing side are separate service instances (their own BM25 objects), as two
workers of one server would be: the searchers must notice every rebuild, never see half an index, and
never return a chunk that was not in the store as written.
"""

from __future__ import annotations

import threading
import time
import traceback
from pathlib import Path

from assistant.core.records import Scope
from assistant.core.settings import Settings
from assistant.services.requests import Request
from assistant.services.wiring import Services

STABLE = {
    f"vast/document-{n}.md": f"# Vast document {n}\n\nDatum: {n + 1} maart 2024\n\n"
    f"Dit vaste stuk gaat over het onderwerp stabielwoord{n} en blijft altijd in het archief.\n"
    for n in range(4)
}


def _churn_text(n: int) -> str:
    return f"# Wisselend {n}\n\nDatum: {n % 27 + 1} mei 2024\n\nTijdelijk stuk over wisselwoord{n} en de provincies.\n"


def test_searches_stay_consistent_while_files_are_ingested_and_removed(tmp_path: Path) -> None:
    archive = tmp_path / "archief"
    for name, text in STABLE.items():
        (archive / name).parent.mkdir(parents=True, exist_ok=True)
        (archive / name).write_text(text, encoding="utf-8")
    settings = Settings(home=tmp_path / "home", embedding_model="fake", llm="extractive", archive=archive)
    writer = Services(settings)
    writer.library.ingest(Request(), [archive])
    reader = Services(settings)  # another worker: its own BM25 object, the same files

    written: dict[str, str] = {}  # every chunk id ever written -> its text
    lock = threading.RLock()

    def record_store() -> None:
        ids, texts = writer.index.store.all_texts()
        with lock:
            for chunk_id, text in zip(ids, texts, strict=True):
                written.setdefault(chunk_id, text)

    record_store()
    errors: list[str] = []
    done = threading.Event()
    searches = [0]
    added: list[int] = []
    removed: list[int] = []

    def churn() -> None:
        try:
            for n in range(12):
                path = archive / "wissel" / f"stuk-{n}.md"
                path.parent.mkdir(exist_ok=True)
                path.write_text(_churn_text(n), encoding="utf-8")
                writer.library.ingest(Request(), [archive])
                record_store()
                added.append(n)
                if n % 3 == 2:  # remove an earlier one through the library, another by deleting its file
                    doc = next(d for d in writer.library.documents(Request()) if f"wisselwoord{n - 2}" in d.title
                               or d.files == (f"wissel/stuk-{n - 2}.md",))  # fmt: skip
                    writer.library.remove(Request(), doc.doc_id)
                    (archive / "wissel" / f"stuk-{n - 1}.md").unlink()
                    writer.library.ingest(Request(), [archive])
                    removed.extend([n - 2, n - 1])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(f"writer: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        finally:
            done.set()

    def search(worker: int) -> None:
        try:
            while not done.is_set():
                n = (searches[0] + worker) % len(STABLE)
                hits = reader.search.search(Request(), f"stabielwoord{n} vaste stuk", k=5)
                searches[0] += 1
                if not hits or hits[0].source != f"vast/document-{n}.md":
                    errors.append(
                        f"search {worker}: stable document {n} not first: {[h.source for h in hits]}"
                    )
                churn_hits = reader.search.search(Request(), "tijdelijk stuk wisselwoord provincies", k=8)
                with lock:
                    for hit in [*hits, *churn_hits]:
                        if written.get(hit.chunk_id) is None:
                            # Written after our last snapshot? Then the store holds it now, with this text.
                            record_store()
                        if written.get(hit.chunk_id) is None:
                            errors.append(f"search {worker}: {hit.chunk_id} was never written")
                        elif not written[hit.chunk_id].endswith(hit.text):
                            errors.append(f"search {worker}: {hit.chunk_id} text differs from the store's")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(f"search {worker}: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")

    threads = [threading.Thread(target=churn)] + [
        threading.Thread(target=search, args=(w,)) for w in range(3)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert not errors, errors[:10]
    assert searches[0] > 10, f"only {searches[0]} searches in {time.monotonic() - started:.1f} s"

    # The next request sees exactly the store's final state: added documents found, removed ones gone.
    present = {f"wissel/stuk-{n}.md" for n in added if n not in removed}
    final = {h.source for h in reader.search.search(Request(), "tijdelijk stuk wisselwoord provincies", k=20)}
    assert {s for s in final if s.startswith("wissel/")} == present
    store_sources = {str(m["source"]) for _, m in writer.index.store.metadatas()}
    assert {s for s in store_sources if s.startswith("wissel/")} == present
    assert set(reader.index.lexical.ids) == set(writer.index.store.all_ids())
    assert reader.search.search(Request(scope=Scope.upto("openbaar")), "stabielwoord1", k=1)
