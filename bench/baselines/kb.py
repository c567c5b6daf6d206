"""The knowledge a baseline bot answers from: every entry of knowledge/**/*.yaml that has
`ask` phrasings and an `answer` text, matched by plain keyword overlap.

Shared by the matrix-nio baseline (nio_bot.py) and the maubot plugin, so both Python bots do
exactly the same (minimal, fair) work per question."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

WORD = re.compile(r"\w+", re.UNICODE)
STOP = {
    "the", "a", "an", "of", "is", "are", "what", "who", "how", "do", "does", "to", "in",
    "on", "for", "and", "or", "it", "i", "you", "me", "my", "can", "with", "about",
    "le", "la", "les", "de", "des", "du", "un", "une", "et", "ou", "est", "qui", "que",
    "quoi", "en", "au", "aux", "je", "tu", "vous", "il", "elle", "ce", "d", "l", "s",
}
FRENCH = {"le", "la", "les", "des", "du", "qui", "quoi", "quel", "quelle", "quels",
          "quelles", "est", "comment", "où", "quand", "groupe", "travail", "comité",
          "réunion", "réunions", "membres", "je", "vous", "traite", "président", "préside"}
FALLBACK = {"en": "Sorry, I don't know the answer to that.",
            "fr": "Désolé, je ne connais pas la réponse."}


def words(text: str) -> list:
    return [w for w in WORD.findall(text.lower())]


class KB:
    def __init__(self, knowledge_dir):
        self.entries = []  # (tokens by lang, answer by lang)
        for path in sorted(Path(knowledge_dir).rglob("*.yaml")):
            doc = yaml.safe_load(path.read_text()) or {}
            if not isinstance(doc, dict):
                continue
            for e in doc.get("entries") or []:
                ask, ans = e.get("ask") or {}, e.get("answer") or {}
                if not ask:
                    continue
                if not ans:  # plugins render these; a baseline just names the topic
                    ans = {"en": f"See {e.get('id', 'this topic')}.",
                           "fr": f"Voir {e.get('id', 'ce sujet')}."}
                toks = {lang: set(w for p in phrases for w in words(p) if w not in STOP)
                        for lang, phrases in ask.items()}
                self.entries.append((toks, ans))

    @staticmethod
    def lang(ws) -> str:
        return "fr" if sum(w in FRENCH for w in ws) >= 1 else "en"

    def answer(self, question: str) -> str:
        ws = words(question)
        lang = self.lang(ws)
        q = set(w for w in ws if w not in STOP)
        best, best_n = None, 0
        for toks, ans in self.entries:
            n = len(q & toks.get(lang, set()))
            if n > best_n:
                best, best_n = ans, n
        if best is None:
            return FALLBACK[lang]
        return (best.get(lang) or best.get("en") or FALLBACK[lang]).strip()
