"""How many of the exact nearest chunks Chroma's HNSW search returns, per search breadth.

For every gold question (as searched: with its glossary expansion) this compares the store's ``k``
nearest chunks with the exact cosine ranking over all stored vectors, and counts the chunks that are
strictly nearer than the exact ``k``-th but missing from the store's answer (chunks tied with the
``k``-th, such as a letter's DOCX and PDF copies, may fall either way and are not counted). HNSW search
is approximate, and its misses differ between processes, so run it a few times per breadth. Usage
(the evaluation store of ``LOBBY_HOME``, built by ``lobby eval``; the breadth is set on the store):

    LOBBY_HOME=... LOBBY_DENSE_EF_SEARCH=100 .venv/bin/python scripts/dense_recall.py
"""

from __future__ import annotations

import numpy as np

from assistant.core.settings import load_settings
from assistant.index.embeddings import embedding_model_id
from assistant.index.store import collection_name, make_client
from assistant.services.wiring import build_index, build_retriever
from eval.gold import load_gold
from eval.runner import eval_settings

K = 30  # the product's dense candidate depth (``RetrievalOptions.candidates``)


def main() -> None:
    settings = eval_settings(load_settings())
    index = build_index(settings)
    retriever = build_retriever(settings, index=index)
    questions = [case.question for case in load_gold()]
    vectors = np.array([retriever.embeddings.embed_query(retriever.expand(q)) for q in questions])
    name = collection_name(settings.collection, embedding_model_id(index.embeddings))
    everything = (
        make_client(settings).get_collection(name, embedding_function=None).get(include=["embeddings"])
    )
    ids, stored = everything["ids"], np.asarray(everything["embeddings"])
    unit = stored / np.linalg.norm(stored, axis=1, keepdims=True)
    missed = []
    for vector in vectors:
        exact = unit @ (vector / np.linalg.norm(vector))
        kth = np.sort(exact)[-K]
        nearer = {ids[i] for i in np.flatnonzero(exact > kth + 1e-4)}
        found = {hit.chunk_id for hit in index.store.query(vector.tolist(), K)}
        missed.append(len(nearer - found))
    print(
        f"ef_search {settings.dense_ef_search}: {len(questions)} questions, {len(ids)} chunks; "
        f"exact top-{K} chunks missed: {sum(missed)} in total, in {sum(m > 0 for m in missed)} questions"
    )


if __name__ == "__main__":
    main()
