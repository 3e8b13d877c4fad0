from assistant.index.embeddings import cpu_has_native_bf16
from assistant.testing import HashEmbeddings


def test_hash_embeddings_rank_by_shared_words() -> None:
    emb = HashEmbeddings(dimension=512)
    docs = emb.embed_documents(["studenten reizen met het OV", "digitalisering van de overheid"])
    query = emb.embed_query("Studenten Reisproduct OV")
    scores = [sum(a * b for a, b in zip(query, d, strict=True)) for d in docs]
    assert scores[0] > scores[1]
    assert emb.embed_query("x y") == emb.embed_query("x y")  # deterministic
    assert emb.calls == 1


def test_bf16_detection_reads_cpu_flags() -> None:
    assert cpu_has_native_bf16("flags : fpu avx2 avx512f avx512_bf16") is True
    assert cpu_has_native_bf16("flags : fpu sse4_2 avx2") is False
    assert cpu_has_native_bf16("flags : amx_bf16 amx_tile") is True
