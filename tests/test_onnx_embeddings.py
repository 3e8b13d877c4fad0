"""EmbeddingGemma on ONNX Runtime (fp32, int8, int8-mixed): vectors like torch's, a collection of its own.

Real export and quantisation (about 1.5 min and 1.5 GB in the model cache, once; later runs reuse it).
"""

from __future__ import annotations

import math

import pytest

from assistant.core.settings import Settings
from assistant.index.embeddings import SentenceTransformerEmbeddings, embedding_model_id, make_embeddings
from assistant.index.models import ModelError, resolve
from assistant.index.onnx_embeddings import MIXED_INT8, OnnxEmbeddings, matmul_nodes, precision_of


def test_runtime_names_select_their_precision() -> None:
    assert [precision_of(n) for n in ("onnx", "onnx-fp32", "onnx-int8", "onnx-int8-mixed")] == [
        "fp32", "fp32", "int8", "int8-mixed",
    ]  # fmt: skip
    with pytest.raises(ValueError):
        precision_of("onnx-int4")


def test_mixed_precision_quantises_projections_but_keeps_the_down_projection_and_attention_scores() -> None:
    """The feed-forward down-projection carries most of int8's loss, so ``int8-mixed`` leaves it in fp32."""
    graph = [
        ("/transformer/layers.0/self_attn/q_proj/MatMul", "MatMul"),
        ("/transformer/layers.0/self_attn/MatMul", "MatMul"),  # attention scores: activations only
        ("/transformer/layers.0/self_attn/o_proj/MatMul", "MatMul"),
        ("/transformer/layers.0/mlp/gate_proj/MatMul", "MatMul"),
        ("/transformer/layers.0/mlp/up_proj/MatMul", "MatMul"),
        ("/transformer/layers.0/mlp/down_proj/MatMul", "MatMul"),
        ("/transformer/layers.0/mlp/act/Mul", "Mul"),
    ]
    assert matmul_nodes(graph, MIXED_INT8) == [
        "/transformer/layers.0/self_attn/q_proj/MatMul",
        "/transformer/layers.0/self_attn/o_proj/MatMul",
        "/transformer/layers.0/mlp/gate_proj/MatMul",
        "/transformer/layers.0/mlp/up_proj/MatMul",
    ]


def test_an_onnx_runtime_with_another_model_is_refused_with_the_reason() -> None:
    settings = Settings(embedding_model="multilingual-e5-small-q4", embedding_runtime="onnx-int8-mixed")
    with pytest.raises(ModelError, match="works with embeddinggemma-300m only"):
        make_embeddings(settings)


integration = pytest.mark.integration

PASSAGES = [
    "Door herijking van het Studenten OV dreigt vanaf 2025 een tekort van € 75 mln per jaar.",
    "Onze topprioriteit voor de NDS is een excellente informatiepositie voor de fysieke leefomgeving.",
    "Provincies vragen structurele middelen voor natuurherstel en de uitvoering van het stikstofbeleid.",
]
QUERY = "Welk tekort dreigt door de herijking van het studentenreisproduct?"


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(
        sum(x * x for x in a) * sum(y * y for y in b)
    )


@pytest.fixture(scope="module")
def reference() -> tuple[list[list[float]], list[float]]:
    path = resolve("embeddinggemma-300m", Settings().model_cache)
    torch_fp32 = SentenceTransformerEmbeddings(path, dtype="float32")
    return torch_fp32.embed_documents(PASSAGES), torch_fp32.embed_query(QUERY)


@integration
@pytest.mark.parametrize(
    ("runtime", "floor"), [("onnx", 0.999), ("onnx-int8", 0.9), ("onnx-int8-mixed", 0.97)]
)
def test_onnx_vectors_agree_with_torch_and_rank_alike(
    runtime: str, floor: float, reference: tuple[list[list[float]], list[float]]
) -> None:
    embeddings = make_embeddings(Settings(embedding_runtime=runtime))  # type: ignore[arg-type]
    assert isinstance(embeddings, OnnxEmbeddings)
    assert embedding_model_id(embeddings) == f"embeddinggemma-300m-{runtime}"  # never the torch collection
    docs, query = embeddings.embed_documents(PASSAGES), embeddings.embed_query(QUERY)
    ref_docs, ref_query = reference
    assert min(_cos(a, b) for a, b in zip(docs, ref_docs, strict=True)) >= floor
    assert _cos(query, ref_query) >= floor
    assert max(range(len(docs)), key=lambda i: _cos(query, docs[i])) == 0  # the SRP passage first
    assert _cos(query, embeddings.embed_documents([QUERY])[0]) < 0.99  # query and document prompts differ
