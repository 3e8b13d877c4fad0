"""A reading check by the chat model: the evidence must hold the asked fact, not only the topic.

The lexical gate sees that a near miss ("Welk bedrag heeft het kabinet toegekend?") is on topic, not that
the asked fact is missing. A small model reads a handful of evidence sentences and copies the answer out,
or writes GEEN. Its word is not trusted on its own: the copied answer must stand in the sentences it was
shown and be of the asked kind (a date for "wanneer", an amount for "hoeveel geld"). Extraction suits a
1.5B model better than a yes/no judgement (tried: its yes/no was a coin flip on hand-made examples).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.core.records import Hit
from assistant.core.tokens import fold_accents
from assistant.rag.answer_types import abbreviation_asked, holds_answer
from assistant.rag.compose import best_sentences
from assistant.rag.glossary import Glossary
from assistant.rag.prompts import PromptLibrary

_SYSTEM = "Je haalt antwoorden letterlijk uit een bron. Je verzint niets."


def _plain(text: str) -> str:
    return " ".join(fold_accents(text).replace("’", "'").split()).strip(" .,;:'\"")


def accepts(extracted: str, sentences: Sequence[str], asked: str, *, glossary: Glossary | None = None,
            question: str = "") -> bool:  # fmt: skip
    """Whether the model's extracted answer counts: present in the evidence and of the asked kind (pure)."""
    answer = _plain(extracted)
    if not answer or answer.upper().startswith("GEEN") or answer.lower().startswith("geen"):
        return False
    if answer not in _plain(" ".join(sentences)):
        return False
    abbreviation = abbreviation_asked(question, glossary) if asked == "abbreviation" else None
    return holds_answer(extracted, asked, abbreviation=abbreviation, glossary=glossary) or (
        asked == "abbreviation" and len(answer.split()) >= 2
    )


@dataclass
class FactCheck:
    """The chat model as a reader: the asked fact copied out of the evidence, or GEEN."""

    llm: BaseChatModel
    prompts: PromptLibrary
    lock: AbstractContextManager[object] | None = None
    max_hits: int = 3
    per_hit: int = 2

    def evidence(self, question: str, hits: Sequence[Hit], quote: str = "") -> list[str]:
        """The sentences the model reads: the gate's evidence sentence and each top hit's best ones."""
        sentences = [quote] if quote else []
        for hit in hits[: self.max_hits]:
            sentences += [s for s in best_sentences(question, hit, self.per_hit) if s not in sentences]
        return sentences

    def extract(self, question: str, sentences: Sequence[str]) -> str:
        """The model's copied answer (or GEEN), one short line."""
        prompt = self.prompts.render("fact_check", sentences="\n".join(sentences), question=question)
        with self.lock or nullcontext():
            reply = self.llm.invoke(
                [SystemMessage(_SYSTEM), HumanMessage(prompt)], max_tokens=32, stop=["\n"]
            )
        return str(reply.content).strip()
