"""The index: offline model assembly, embeddings, the vector store (Chroma), BM25 and rank fusion."""
