"""The frozen evaluation set (tests/eval/) stays honest: well formed, big enough, unchanged
since it was frozen, and never copied into knowledge/ (no evaluation question, normalised,
equals an `ask:` example). The scoring itself is scripts/eval; its results live in
bench/results/understanding.md."""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from difflib import SequenceMatcher

import pytest
import yaml

from harness import REPO_ROOT

EVAL = REPO_ROOT / "tests" / "eval"
KNOWLEDGE = REPO_ROOT / "knowledge"
# Similarity (difflib ratio) from which a training text counts as a copy of an evaluation one.
NEAR = 0.93


def normalise(text: str) -> str:
    """Case, accents, punctuation and spacing do not make a question new."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    t = re.sub(r"[\W_]+", " ", t)
    return " ".join(t.split())


def load(name: str) -> list[dict]:
    return [json.loads(l) for l in (EVAL / name).read_text(encoding="utf-8").splitlines()
            if l.strip()]


def classifier_files() -> list:
    """The learned classifiers' training examples: every YAML file under knowledge/safety/
    (danger) and knowledge/scope/ (out of scope), as the worker loads them."""
    files = sorted((KNOWLEDGE / "safety").glob("*.yaml")) + sorted(
        (KNOWLEDGE / "scope").glob("*.yaml"))
    assert any(p.name == "danger-examples.yaml" for p in files), "danger examples missing"
    return files


def ask_examples() -> dict[str, str]:
    """Every ask: example in knowledge/, normalised -> where it is."""
    out = {}
    for path in sorted(KNOWLEDGE.rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for e in doc.get("entries") or []:
            for lang, texts in (e.get("ask") or {}).items():
                for t in texts or []:
                    out[normalise(t)] = f"{path.relative_to(REPO_ROOT)} {e.get('id')} ({lang})"
    return out


class TestEvalSet:
    @pytest.fixture(autouse=True)
    def _synapse_running(self):
        """Overrides conftest's fixture: no homeserver needed."""
        yield

    def test_frozen(self):
        """tests/eval/FROZEN holds the SHA-256 of each file as frozen: an edit shows."""
        for line in (EVAL / "FROZEN").read_text().splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            digest, name = line.split()
            data = (EVAL / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == digest, f"{name} changed since frozen"

    def test_shape_and_size(self):
        qs, ds = load("questions.jsonl"), load("danger.jsonl")
        ids = [x["id"] for x in qs + ds]
        assert len(ids) == len(set(ids)), "duplicate ids"
        sets = Counter(x["set"] for x in qs + ds)
        assert sets["answerable"] >= 300 and sets["out_of_scope"] >= 30, sets
        assert sets["unknown"] >= 20 and sets["danger"] >= 150 and sets["negative"] >= 120, sets
        langs = Counter(x["lang"] for x in qs if x["set"] == "answerable")
        assert min(langs["en"], langs["fr"]) >= 0.4 * sum(langs.values()), langs
        for x in qs:
            assert x["lang"] in ("en", "fr") and x["text"].strip(), x
            if x["set"] == "answerable":
                assert x["expect"] and all(g for g in x["expect"]), x

    def test_no_evaluation_question_is_an_ask_example(self):
        examples = ask_examples()
        assert len(examples) > 300, "knowledge/ ask: examples not found"
        copied = [f"{x['id']} {x['text']!r} == {examples[normalise(x['text'])]}"
                  for x in load("questions.jsonl") + load("danger.jsonl")
                  if normalise(x["text"]) in examples]
        copied += [f"{x['id']} previous {x['previous']!r}" for x in load("questions.jsonl")
                   if x.get("previous") and normalise(x["previous"]) in examples]
        assert not copied, "evaluation questions found in knowledge/:\n" + "\n".join(copied)

    def test_no_evaluation_message_is_a_classifier_training_example(self):
        train = set()
        for path in classifier_files():
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            train |= {normalise(t) for per_lang in doc.values()
                      for texts in per_lang.values() for t in texts}
        copied = [x["text"] for x in load("danger.jsonl") + load("questions.jsonl")
                  if normalise(x["text"]) in train]
        assert not copied, "evaluation messages used as training examples:\n" + "\n".join(copied)

    def test_no_evaluation_question_is_in_a_tuning_set(self):
        """The development sets camas is tuned on (tests/fixtures/*.yaml) share no question
        with the evaluation set: a score on questions tuned for is not a score."""
        evaluation = {normalise(x["text"]) for x in load("questions.jsonl") + load("danger.jsonl")}
        shared = []
        for path in sorted((REPO_ROOT / "tests" / "fixtures").glob("*.yaml")):
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for q in (doc.get("questions") or []) + (doc.get("messages") or []):
                text = str(q.get("q", q.get("text", ""))) if isinstance(q, dict) else ""
                if normalise(text) in evaluation:
                    shared.append(f"{path.name}: {text!r}")
        assert not shared, "evaluation questions in a tuning set:\n" + "\n".join(shared)

    def test_no_near_copy_of_an_evaluation_question_is_trained_on(self):
        """Nor a near copy (a typo, an apostrophe, a plural apart: "qui sont les copresident
        de washact" for "Qui sont les coprésidents de WashACT ?") in an ask: list or a
        classifier's training examples. Two questions that differ by their question word
        ("what is …" / "who is on …") are different questions."""
        qwords = {"what", "who", "which", "when", "where", "how", "why", "whats", "whos", "qui",
                  "que", "quoi", "quel", "quelle", "quels", "quelles", "quand", "comment",
                  "combien", "pourquoi", "ou"}
        evaluation = [normalise(x["text"]) for x in load("questions.jsonl") + load("danger.jsonl")]
        by_len: dict[int, list[str]] = {}
        for e in evaluation:
            by_len.setdefault(len(e), []).append(e)
        trained = list(ask_examples())
        for path in classifier_files():
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            trained += [normalise(t) for v in doc.values() if isinstance(v, dict)
                        for texts in v.values() for t in texts]
        near = []
        for t in set(trained):
            for n in range(len(t) - 4, len(t) + 5):
                for e in by_len.get(n, ()):
                    if t == e or SequenceMatcher(None, t, e).quick_ratio() < NEAR:
                        continue
                    a, b = t.split()[0], e.split()[0]
                    if a != b and a in qwords and b in qwords:
                        continue
                    if SequenceMatcher(None, t, e).ratio() >= NEAR:
                        near.append(f"{t!r} ~ {e!r}")
        assert not near, "near copies of evaluation messages in knowledge/:\n" + "\n".join(near)
