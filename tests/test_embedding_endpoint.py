"""Embeddings from an OpenAI-compatible endpoint: a fake API in-process, then llama.cpp's real server."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assistant.core.settings import Settings
from assistant.index.embeddings import embedding_model_id, make_embeddings
from assistant.index.models import ModelError
from assistant.index.remote_embeddings import EndpointEmbeddings, EndpointError, known_prompts
from assistant.index.store import collection_name

from .llama_server import free_port, llama_server

GEMMA_QUERY = "task: search result | query: "
GEMMA_DOCUMENT = "title: none | text: "

# -- a fake OpenAI embeddings API on loopback ----------------------------------------------------------

#: (status, body) the fake API answers with; a dict body is sent as JSON, a str as text.
Reply = tuple[int, Any]


def vector_of(text: str) -> list[float]:
    """The fake model: three unnormalised numbers read off the text."""
    return [float(len(text)), float(text.count("a")) + 1.0, 3.0]


def unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector]


def rows(vectors: list[list[float]]) -> Any:
    """Vectors for a tolerant comparison (``pytest.approx`` reads flat lists only)."""
    return pytest.approx([x for v in vectors for x in v])


def openai_reply(inputs: list[str]) -> Reply:
    """A correct answer, its items in reverse order (the index field says where each belongs)."""
    data = [{"object": "embedding", "index": i, "embedding": vector_of(t)} for i, t in enumerate(inputs)]
    return 200, {"object": "list", "data": data[::-1], "model": "nep", "usage": {"prompt_tokens": 1}}


@dataclass
class FakeApi:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    reply: Callable[[list[str]], Reply] = openai_reply
    delay: float = 0.0

    def inputs(self) -> list[list[str]]:
        return [r["body"]["input"] for r in self.requests]


@pytest.fixture
def api() -> Iterator[FakeApi]:
    fake = FakeApi(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            time.sleep(fake.delay)
            status, reply = fake.reply(body["input"])
            data = json.dumps(reply).encode() if isinstance(reply, dict) else str(reply).encode()
            try:
                self.send_response(status)
                self.send_header(
                    "Content-Type", "application/json" if isinstance(reply, dict) else "text/plain"
                )
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except ConnectionError:  # the client gave up waiting (the timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield fake
    server.shutdown()
    server.server_close()


def client(api: FakeApi, **kwargs: Any) -> EndpointEmbeddings:
    return EndpointEmbeddings(api.url, kwargs.pop("model", "nep-model"), backoff=0.0, **kwargs)


def test_vectors_come_back_in_input_order_and_normalised(api: FakeApi) -> None:
    texts = ["a", "bb bb", "een langere tekst met aaa"]
    vectors = client(api).embed_documents(texts)
    assert [x for v in vectors for x in v] == rows([unit(vector_of(t)) for t in texts])
    assert all(math.isclose(math.fsum(x * x for x in v), 1.0) for v in vectors)
    assert api.requests[0]["path"] == "/v1/embeddings"
    assert api.requests[0]["body"] == {"model": "nep-model", "input": texts}


def test_documents_are_sent_in_batches(api: FakeApi) -> None:
    texts = [f"tekst {'a' * i}" for i in range(5)]
    vectors = client(api, batch_size=2).embed_documents(texts)
    assert api.inputs() == [texts[0:2], texts[2:4], texts[4:5]]
    assert [x for v in vectors for x in v] == rows([unit(vector_of(t)) for t in texts])
    assert client(api).embed_documents([]) == [] and len(api.requests) == 3  # nothing to send


def test_queries_and_documents_get_their_own_prompts(api: FakeApi, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, embedding_url=api.url)  # the default model: EmbeddingGemma
    embeddings = make_embeddings(settings)
    assert isinstance(embeddings, EndpointEmbeddings) and embeddings.api_model == "embeddinggemma-300m"
    vector = embeddings.embed_query("Wat kost het studentenreisproduct?")
    embeddings.embed_documents(["De OV-sector verliest inkomsten."])
    assert api.inputs() == [
        [GEMMA_QUERY + "Wat kost het studentenreisproduct?"],
        [GEMMA_DOCUMENT + "De OV-sector verliest inkomsten."],
    ]
    assert vector == pytest.approx(unit(vector_of(GEMMA_QUERY + "Wat kost het studentenreisproduct?")))

    own = settings.model_copy(
        update={"embedding_api_model": "bge-m3", "embedding_query_prefix": "vraag: "}
    )  # an unknown model gets no prompts unless set
    embeddings = make_embeddings(own)
    embeddings.embed_query("x")
    embeddings.embed_documents(["y"])
    assert api.inputs()[2:] == [["vraag: x"], ["y"]]
    assert api.requests[-1]["body"]["model"] == "bge-m3"


def test_known_prompts_match_the_model_name_in_its_server_spellings() -> None:
    gemma = (GEMMA_QUERY, GEMMA_DOCUMENT)
    assert known_prompts("embeddinggemma") == known_prompts("google/embeddinggemma-300m") == gemma
    assert known_prompts("embeddinggemma:300m") == gemma
    assert known_prompts("nomic-embed-text:latest") == ("search_query: ", "search_document: ")
    assert known_prompts("intfloat/multilingual-e5-small") == ("query: ", "passage: ")
    assert known_prompts("intfloat/multilingual-e5-large-instruct") == ("", "")
    assert known_prompts("BAAI/bge-m3") == ("", "")


def test_an_empty_prefix_in_the_environment_means_no_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOBBY_EMBEDDING_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("LOBBY_EMBEDDING_QUERY_PREFIX", "")
    embeddings = EndpointEmbeddings.from_settings(Settings())
    assert embeddings.query_prefix == "" and embeddings.document_prefix == GEMMA_DOCUMENT


def test_the_key_is_read_from_the_named_variable(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(embedding_url=api.url, embedding_api_key_env="MIJN_SLEUTEL")
    monkeypatch.delenv("MIJN_SLEUTEL", raising=False)
    make_embeddings(settings).embed_query("zonder")
    monkeypatch.setenv("MIJN_SLEUTEL", "geheim")
    make_embeddings(settings).embed_query("met")
    assert "Authorization" not in api.requests[0]["headers"]
    assert api.requests[1]["headers"]["Authorization"] == "Bearer geheim"


def test_the_collection_never_mixes_endpoint_and_local_vectors() -> None:
    local = collection_name("lobby", "embeddinggemma-300m")
    for model in ("embeddinggemma-300m", "google/embeddinggemma-300m"):
        remote = EndpointEmbeddings("http://127.0.0.1:9/v1", model)
        assert embedding_model_id(remote).startswith("endpoint:")
        assert collection_name("lobby", embedding_model_id(remote)) == "lobby-endpoint-" + model.replace(
            "/", "--"
        )
        assert collection_name("lobby", embedding_model_id(remote)) != local


# -- errors name the URL and the reason ------------------------------------------------------------------


def test_connection_refused_is_retried_then_named() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EndpointError) as caught:
        EndpointEmbeddings(url, "nep", retries=1, backoff=0.0).embed_query("x")
    message = str(caught.value)
    assert f"{url}/embeddings" in message and "connection refused" in message
    assert "after 2 attempts" in message
    assert isinstance(caught.value, ModelError)  # the CLI shows it as a model problem, not a traceback


def test_a_server_error_is_retried_and_may_pass(api: FakeApi) -> None:
    replies: list[Reply] = [(500, "tijdelijk kapot")]
    api.reply = lambda inputs: replies.pop() if replies else openai_reply(inputs)
    assert client(api, retries=2).embed_query("x") == pytest.approx(unit(vector_of("x")))
    assert len(api.requests) == 2


def test_a_lasting_server_error_names_status_and_body(api: FakeApi) -> None:
    api.reply = lambda inputs: (500, "llama_decode returned -1: out of memory")
    with pytest.raises(EndpointError) as caught:
        client(api, retries=2).embed_documents(["x"])
    message = str(caught.value)
    assert f"{api.url}/embeddings" in message and "HTTP 500" in message and "out of memory" in message
    assert len(api.requests) == 3 and "after 3 attempts" in message


@pytest.mark.parametrize(
    ("status", "hint"),
    [(404, "/v1"), (401, "no API key was sent in $LOBBY_EMBEDDING_API_KEY"), (400, "HTTP 400")],
)
def test_client_errors_fail_at_once_with_a_hint(api: FakeApi, status: int, hint: str) -> None:
    api.reply = lambda inputs: (status, "nee")
    with pytest.raises(EndpointError, match=f"HTTP {status}") as caught:
        client(api, api_key_env="LOBBY_EMBEDDING_API_KEY").embed_query("x")
    assert hint in str(caught.value) and len(api.requests) == 1


def bad(data: list[Any]) -> Callable[[list[str]], Reply]:
    return lambda inputs: (200, {"object": "list", "data": data})


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (bad([{"index": 0, "embedding": [1.0, 2.0]}]), "returned 1 vectors for 2 texts"),
        (
            bad([{"index": 0, "embedding": [1.0, 2.0]}, {"index": 1, "embedding": [1.0, 2.0, 3.0]}]),
            "inconsistent dimensions: vector 1 has 3 values, earlier ones 2",
        ),
        (bad([{"index": 0, "embedding": [1.0]}, {"index": 0, "embedding": [2.0]}]), "duplicate or bad index"),
        (bad([{"index": 0, "embedding": [[1.0], [2.0]]}, {"index": 1, "embedding": [[1.0]]}]), "per token"),
        (bad([{"index": 0, "embedding": [0.0, 0.0]}, {"index": 1, "embedding": [1.0, 0.0]}]), "zero"),
        (bad([{"index": 0, "embedding": "AAAA"}, {"index": 1, "embedding": "AAAA"}]), "base64"),
        (lambda inputs: (200, "<html>proxy</html>"), "without JSON: '<html>proxy</html>'"),
        (lambda inputs: (200, {"error": "geen model"}), "no 'data' list"),
    ],
)
def test_malformed_answers_are_refused_with_the_reason(
    api: FakeApi, reply: Callable[[list[str]], Reply], reason: str
) -> None:
    api.reply = reply
    with pytest.raises(EndpointError) as caught:
        client(api).embed_documents(["een", "twee"])
    assert reason in str(caught.value) and f"{api.url}/embeddings" in str(caught.value)


def test_the_dimension_must_stay_the_same_across_requests(api: FakeApi) -> None:
    embeddings = client(api)
    embeddings.embed_query("x")
    api.reply = lambda inputs: (200, {"data": [{"index": 0, "embedding": [1.0, 2.0]}]})
    with pytest.raises(EndpointError, match="inconsistent dimensions: vector 0 has 2 values, earlier ones 3"):
        embeddings.embed_query("y")


def test_a_slow_server_times_out_with_advice(api: FakeApi) -> None:
    api.delay = 0.5
    with pytest.raises(
        EndpointError, match=r"no answer within 0\.1 s for 1 texts.*LOBBY_EMBEDDING_BATCH_SIZE"
    ):
        client(api, timeout=0.1).embed_query("x")
    assert len(api.requests) == 1  # a timed-out batch is not sent again


# -- llama.cpp's OpenAI-compatible server with the offline model ---------------------------------------

#: Four unrelated Dutch documents and a question for each, in the same order.
DOCS = {
    "fietspaden.md": "De provincie Gelderland legt nieuwe fietspaden aan langs de provinciale wegen.",
    "accijns.md": "Het kabinet verlaagt de accijns op benzine en diesel voor automobilisten.",
    "zoutwinning.md": "Zoutwinning in Friesland veroorzaakt bodemdaling onder de Waddenzee.",
    "studenten-ov.md": "Studenten reizen gratis met het openbaar vervoer dankzij het studentenreisproduct.",
}
QUESTIONS = [
    "fietspaden langs provinciale wegen in Gelderland",
    "accijns op benzine en diesel",
    "bodemdaling door zoutwinning in Friesland",
    "gratis openbaar vervoer voor studenten",
]


@pytest.fixture(scope="module")
def embedding_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The offline chat GGUF served for embeddings (mean-pooled: a chat model has no pooling of its own)."""
    from assistant.index.models import resolve

    settings = Settings()
    model = resolve(settings.llm_model, settings.model_cache)
    log = tmp_path_factory.mktemp("llama-embedding-server") / "server.log"
    options = (
        "--embedding", "true", "--kv_overrides", "qwen2.pooling_type=int:1", "--model_alias", "qwen-embed",
        "--n_ctx", "512", "--n_threads", "2", "--api_key", "geheim",
    )  # fmt: skip
    with llama_server(model, log, *options) as url:
        yield url


@pytest.fixture
def endpoint_settings(embedding_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LOBBY_EMBEDDING_API_KEY", "geheim")
    return Settings(
        home=tmp_path / "home", embedding_url=embedding_server, embedding_api_model="qwen-embed",
        llm="extractive",
    )  # fmt: skip


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.mark.integration
def test_a_real_server_embeds_documents_and_queries(endpoint_settings: Settings) -> None:
    embeddings = make_embeddings(endpoint_settings)
    assert isinstance(embeddings, EndpointEmbeddings) and embeddings.query_prefix == ""
    docs = embeddings.embed_documents(list(DOCS.values()))
    queries = [embeddings.embed_query(q) for q in QUESTIONS]
    assert embeddings.dimension == 1536 and {len(v) for v in docs + queries} == {1536}
    assert all(math.isclose(cosine(v, v), 1.0, abs_tol=1e-6) for v in docs + queries)
    # The same text gives the same vector (embedded alone or in a batch: equal up to rounding), another
    # text another one.
    assert embeddings.embed_query(QUESTIONS[0]) == pytest.approx(queries[0], abs=1e-6)
    assert cosine(embeddings.embed_documents([*DOCS.values()][:1])[0], docs[0]) > 0.999
    assert cosine(docs[0], docs[1]) < 0.99
    # A chat model is a weak embedder, but each question is still closest to its own document.
    for i, query in enumerate(queries):
        scores = [cosine(query, d) for d in docs]
        assert max(range(len(docs)), key=scores.__getitem__) == i, (QUESTIONS[i], scores)


@pytest.mark.integration
def test_without_the_key_the_server_refuses_and_the_error_says_so(
    endpoint_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOBBY_EMBEDDING_API_KEY")
    with pytest.raises(EndpointError, match=r"HTTP 401.*no API key was sent in \$LOBBY_EMBEDDING_API_KEY"):
        make_embeddings(endpoint_settings).embed_query("x")


@pytest.mark.integration
def test_ingest_and_search_through_the_endpoint(endpoint_settings: Settings, tmp_path: Path) -> None:
    from assistant.services.requests import Request
    from assistant.services.wiring import Services

    archive = tmp_path / "archief"
    archive.mkdir()
    for name, text in DOCS.items():
        (archive / name).write_text(f"# {name.removesuffix('.md').capitalize()}\n\n{text}\n")
    services = Services(endpoint_settings.model_copy(update={"archive": archive}))
    report = services.library.ingest(Request(), [archive])
    assert report.added == len(DOCS) and not report.failed
    index = services.index
    assert index.store.name == "lobby-endpoint-qwen-embed" and index.store.count() == len(DOCS)
    hits = services.search.search(Request(), "Waar zakt de bodem door zoutwinning?", k=1)
    assert hits and hits[0].metadata["source"] == "zoutwinning.md" and hits[0].dense is not None
    # The vectors alone find it too: the store's nearest chunk to the question's vector.
    nearest = index.store.query(index.embeddings.embed_query(QUESTIONS[2]), k=1)
    assert nearest[0].metadata["source"] == "zoutwinning.md"
