"""Settings: the one typed place for every knob, read from the environment (prefix ``LOBBY_``).

Precedence (highest first): keyword arguments, environment variables, a ``.env`` file in the working
directory, ``lobby.toml`` in the working directory, the defaults below. Nothing reads settings at import
time: :func:`load_settings` is called by the CLI and the factory, and tests build ``Settings(...)``
directly. The README's settings table is checked against these fields by a test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def _default_model_cache() -> Path:
    return Path.home() / ".cache" / "lobby" / "models"


class Settings(BaseSettings):
    """All configuration of the assistant. Each field maps to ``LOBBY_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(
        env_prefix="LOBBY_",
        env_file=".env",
        extra="ignore",
        toml_file="lobby.toml",
    )

    home: Path = Field(
        default=Path(".lobby"),
        description="Where the embedded Chroma store and the BM25 index live.",
    )
    model_cache: Path = Field(
        default_factory=_default_model_cache,
        description="Where assembled offline models are kept outside git; reused by later runs.",
    )
    embedding_model: str = Field(
        default="embeddinggemma-300m",
        description=(
            "Embedding model: a bundled offline model (embeddinggemma-300m; multilingual-e5-small-q4, 4-bit; "
            "all-minilm-l6-v2, English only), a local sentence-transformers directory, a hub id (needs "
            "network or a mirror), or 'fake' (tests). Each model has its own collection."
        ),
    )
    embedding_dtype: Literal["auto", "bfloat16", "float32"] = Field(
        default="auto",
        description=(
            "Torch dtype of the embedding model on CPU. 'auto' picks bfloat16 only where the CPU has native "
            "bf16 (AVX512-BF16/AMX: ~2.4x faster than fp32), else float32 (bf16 is emulated and ~7x slower)."
        ),
    )
    embedding_runtime: Literal["torch", "onnx", "onnx-int8", "onnx-int8-mixed"] = Field(
        default="torch",
        description=(
            "What runs the embedding model: torch (default: exact, bf16 where the CPU has it, 1.7x fp32), "
            "or EmbeddingGemma exported once to ONNX Runtime: onnx (fp32), onnx-int8-mixed (int8 but the "
            "feed-forward down-projections: 2.1x, nDCG@10 -0.4/-0.7 %, but fewer near misses refused on "
            "the gold set), onnx-int8 (every layer: 2.6x, -2.7 % nDCG). Each runtime has its own collection."
        ),
    )
    embedding_batch_size: int = Field(default=16, ge=1, description="Chunks per encoder batch.")
    embedding_max_seq_length: int = Field(
        default=512, ge=32, description="Token limit per chunk for the encoder; longer text is cut."
    )
    embedding_url: str | None = Field(
        default=None,
        description=(
            "Base URL of an OpenAI-compatible embeddings API (e.g. http://127.0.0.1:8080/v1: vLLM, Text "
            "Embeddings Inference, Ollama, llama.cpp server) that replaces the local encoder; unset = local."
        ),
    )
    embedding_api_model: str | None = Field(
        default=None,
        description="Model name sent to the embeddings endpoint; unset = the value of embedding_model.",
    )
    embedding_api_key_env: str = Field(
        default="LOBBY_EMBEDDING_API_KEY",
        description="Name of the environment variable that holds the embeddings endpoint's API key.",
    )
    embedding_query_prefix: str | None = Field(
        default=None,
        description=(
            "Text the endpoint client puts before a query; unset = the known prompt of the endpoint's "
            "model (EmbeddingGemma, nomic-embed-text, multilingual-e5), else none."
        ),
    )
    embedding_document_prefix: str | None = Field(
        default=None,
        description=(
            "Text the endpoint client puts before a chunk; unset = the known prompt of the endpoint's "
            "model, else none."
        ),
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (e.g. http://localhost:8000); unset = embedded store in home.",
    )
    collection: str = Field(default="lobby", description="Chroma collection name prefix.")
    dense_ef_search: int = Field(
        default=500,
        ge=10,
        description=(
            "Breadth of Chroma's HNSW search. At Chroma's default (100) the evaluation store's search "
            "missed 27-39 chunks in all of the exact 30 nearest to each of the 163 gold questions, "
            "different ones in every process (so answers changed between restarts); at 500 it missed 0-4."
        ),
    )
    chunk_tokens: int = Field(default=300, ge=50, description="Target chunk size in (estimated) tokens.")
    chunk_overlap: int = Field(
        default=50, ge=0, description="Tokens repeated between consecutive chunks of one page/section."
    )
    max_file_mb: float = Field(default=50.0, gt=0, description="Files larger than this are refused.")
    max_upload_mb: float = Field(
        default=500.0,
        gt=0,
        description=(
            "Most megabytes one upload to the web app (all files picked at once) may hold; a larger request "
            "is refused before it is read in full."
        ),
    )
    pdf_max_pages: int = Field(
        default=5000, ge=1, description="PDFs with more pages than this are refused (a hostile page tree)."
    )
    ocr: bool = Field(
        default=True,
        description="Read PDF pages without a text layer (scans) by text recognition with tesseract: on/off.",
    )
    ocr_max_pages: int = Field(
        default=50, ge=0, description="Pages of one PDF read by OCR at most; further ones only get a warning."
    )
    ocr_page_timeout: float = Field(
        default=120.0, gt=0, description="Seconds tesseract may spend on one page before it is skipped."
    )
    search_k: int = Field(default=5, ge=1, description="Number of hits a search returns by default.")
    reranker: str = Field(
        default="identity",
        description=(
            "Second retrieval stage: 'identity' (keep the fused order), 'coverage' (boost chunks holding the "
            "query's words), or a sentence-transformers cross-encoder (local directory or hub id)."
        ),
    )
    glossary_expansion: bool = Field(
        default=True,
        description="Expand queries with the abbreviation glossary (SRP <-> Studenten Reis Product).",
    )
    rrf_k: int = Field(
        default=60,
        ge=1,
        description="Reciprocal rank fusion constant: a smaller value lets each list's top ranks count more.",
    )
    lexical_weight: float = Field(
        default=0.3,
        ge=0.0,
        description=(
            "Weight of the BM25 ranking against the dense ranking (1.0) in the fusion. 0.3 (with k=60) keeps "
            "the gold set's answer figures; k=10 with 0.1 ranks better on the public benchmarks but refuses "
            "and answers worse on the gold set's development half (docs/PERFORMANCE.md)."
        ),
    )
    llm: Literal["llamacpp", "openai", "extractive", "fake"] = Field(
        default="llamacpp",
        description=(
            "Answer backend: the offline llama.cpp model, an OpenAI-compatible endpoint, 'extractive' "
            "(no model: quoted source sentences) or 'fake' (tests)."
        ),
    )
    llm_model: str = Field(
        default="qwen2.5-coder-1.5b-instruct-q4_k_m",
        description="llamacpp: a bundled model name or a .gguf path; openai: the model name at the endpoint.",
    )
    openai_base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible API (e.g. http://localhost:11434/v1)."
    )
    openai_api_key_env: str = Field(
        default="OPENAI_API_KEY", description="Name of the environment variable that holds the API key."
    )
    llm_timeout: float = Field(
        default=60.0,
        gt=0,
        description=(
            "openai backend: seconds to wait for the endpoint to connect or send its next piece; past it (or "
            "when nothing listens) the answer is made from the sources' own sentences, with a notice."
        ),
    )
    llm_threads: int = Field(default=2, ge=1, description="CPU threads for llama.cpp.")
    llm_context: int = Field(default=4096, ge=512, description="Context window (tokens) for llama.cpp.")
    llm_batch: int = Field(default=512, ge=1, description="Prompt tokens llama.cpp evaluates per batch.")
    llm_flash_attn: bool = Field(
        default=False,
        description="Flash attention in llama.cpp (fewer memory passes while it reads the prompt).",
    )
    llm_max_tokens: int = Field(default=320, ge=16, description="Maximum tokens per generated answer.")
    llm_temperature: float = Field(
        default=0.0, ge=0, le=2, description="Sampling temperature; 0 = greedy (repeatable answers)."
    )
    archive: Path = Field(
        default=Path("data"),
        description="The archive folder: `make run` / `lobby start` ingest it, uploads are stored in it.",
    )
    draft_templates: Path | None = Field(
        default=None,
        description=(
            "A folder of your own draft templates (`*.toml`); one overrides a built-in one of the same name."
        ),
    )
    default_access: Literal["openbaar", "intern", "vertrouwelijk"] = Field(
        default="openbaar",
        description=(
            "Access level of a document without a `.toegang` file in its folder (or above) and without a "
            "`NAME.toegang` sidecar."
        ),
    )
    audit_log: Path | None = Field(
        default=None,
        description=(
            "The audit log (JSON lines: who asked or changed what, which documents were shown); unset = "
            "audit.jsonl in LOBBY_HOME."
        ),
    )
    users_file: Path | None = Field(
        default=None,
        description=(
            "The web app's users file (names, argon2id password hashes, roles); unset = gebruikers.json "
            "in LOBBY_HOME."
        ),
    )
    host: str = Field(
        default="127.0.0.1",
        description=(
            "Address the web app listens on. Loopback by default; any other address requires sign-in "
            "(the server refuses to start without a user)."
        ),
    )
    port: int = Field(default=7860, ge=0, le=65535, description="Port of the web app (0: any free port).")
    require_login: bool = Field(
        default=False,
        description=(
            "Ask for sign-in also when the web app listens on this machine only (127.0.0.1); on any other "
            "address sign-in is always required."
        ),
    )
    conversations_file: Path | None = Field(
        default=None,
        description=(
            "The web app's conversations, turns and ratings (SQLite); unset = gesprekken.sqlite in "
            "LOBBY_HOME."
        ),
    )
    session_hours: float = Field(
        default=12.0,
        gt=0,
        description=(
            "How long a web app sign-in lasts, in hours from signing in; after that the next request asks "
            "for the name and password again."
        ),
    )
    retrieval_candidates: int = Field(
        default=30, ge=1, description="Candidates taken from each retriever (dense, BM25) before fusion."
    )
    retrieval_filtered_candidates: int = Field(
        default=150,
        ge=1,
        description="Candidates per retriever when filters or an access scope narrow the search.",
    )
    duplicate_containment: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="Token containment above which two files' passages of one document count as copies.",
    )
    answer_k: int = Field(
        default=5,
        ge=1,
        description=(
            "Hits an answer is made from: the gate reads them, the extractive mode quotes from all of them, "
            "a model is shown the first LOBBY_LLM_SOURCES."
        ),
    )
    timeline_k: int = Field(
        default=8, ge=1, description="Hits read for a dated account ('wat zei IPO over X, en wanneer')."
    )
    retrieval_depth: int = Field(
        default=10,
        ge=1,
        description="Hits retrieved per question (the evaluation's MRR@10/nDCG@10 read them).",
    )
    llm_sources: int = Field(
        default=4, ge=1, description="Sources shown to a chat model per answer (answer shape model)."
    )
    llm_source_words: int = Field(
        default=90, ge=10, description="Words per source shown to a chat model (the most relevant sentences)."
    )
    lead_sources: int = Field(
        default=3,
        ge=1,
        description="Sources the chat model reads for its lead sentence (answer shape lead+quotes).",
    )
    lead_source_words: int = Field(
        default=60,
        ge=10,
        description="Words per source it reads for the lead sentence (prompt size sets first token).",
    )
    lead_source_header: Literal["full", "date"] = Field(
        default="full",
        description=(
            "How each source is headed for the lead sentence: full (title, date and type) or date "
            "(number and date only: a sooner first token at a lower citation precision; see the README)."
        ),
    )
    gate_min_dense: float = Field(
        default=0.4561,
        description="Evidence gate: minimum best-chunk cosine similarity (calibrated on the gold dev half).",
    )
    gate_min_coverage: float = Field(
        default=0.1656,
        description="Evidence gate: minimum share of the question's content words in the best chunk.",
    )
    gate_min_sentence: float = Field(
        default=0.0215,
        description=(
            "Evidence gate: minimum share of the question's content words in one evidence sentence that "
            "also holds an answer of the asked kind (amount, date, person, ...)."
        ),
    )
    answer_shape: Literal["model", "lead+quotes"] = Field(
        default="lead+quotes",
        description=(
            "With a chat model: 'lead+quotes' (one model sentence, then the sources' best sentences, all "
            "checked; chosen on the gold dev half for the local model) or 'model' (its own sentences)."
        ),
    )
    answer_check: Literal["off", "llm"] = Field(
        default="off",
        description=(
            "After the gate, let the chat model copy the asked fact out of the evidence ('llm'); the "
            "question is refused when it finds none of the asked kind. Off: the bundled 1.5B model fails."
        ),
    )
    condense: Literal["heuristic", "llm"] = Field(
        default="heuristic",
        description=(
            "How follow-ups become standalone: 'heuristic' (add the previous question's topic; gold "
            "hit@5 0.986) or 'llm' (ask the chat model; 0.959 with the local 1.5B model)."
        ),
    )
    citation_min_support: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="Share of a claim's key words its evidence sentence(s) must hold.",
    )
    drop_unsupported: bool = Field(
        default=True, description="Remove answer sentences no source supports (else keep them, flagged)."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            TomlConfigSettingsSource(settings_cls),
        )

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def lexical_dir(self) -> Path:
        return self.home / "bm25"

    @property
    def audit_path(self) -> Path:
        return self.audit_log if self.audit_log is not None else self.home / "audit.jsonl"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, ``.env`` and ``lobby.toml``, with explicit overrides on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
