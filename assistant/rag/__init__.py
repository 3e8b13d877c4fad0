"""Retrieval-augmented answering: retrieval, evidence gate, composition, citation check, prompts, models."""
