#!/usr/bin/env python3
"""Scores camas on the frozen evaluation set (tests/eval/*.jsonl) through the real path:
`camas ask --batch` (router, safety detector, plugin worker, matcher, plugins).

    scripts/eval [--camas build/camas] [--matcher MODE] [--out bench/results/understanding]
    scripts/eval --full --out bench/results/understanding   # + ablation and leave-one-out

prints one table (answered / declined / wrong / clarified / wrong language / invented
numbers; danger recall / false alarms) and, with --out, writes it as Markdown plus JSON with
every miss, so bench/results keeps it. The evaluation set was written from the source text
and public trafficking-indicator lists only (tests/eval/README.md); it must never be copied
into knowledge/ (tests/integration/test_eval_set.py enforces that) nor edited to fit camas.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests" / "eval"
SOURCE = ROOT / "knowledge" / "source" / "anti-trafficking-bodies.fr.txt"
HOTLINE = "1-888-373-7888"
# Numbers camas may say that are not in the source: the hotline, its text number, 911.
SAFE_NUMBERS = {"1", "888", "373", "7888", "1-888-373-7888", "233733", "911"}


def fold(text: str) -> str:
    """Lower case, accents off, punctuation (except . - @ inside words) to spaces."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    t = t.replace("’", "'").replace("œ", "oe").replace("æ", "ae")
    t = re.sub(r"[^\w.@-]+", " ", t)
    t = re.sub(r"(?<!\w)[.@-]+|[.@-]+(?!\w)", " ", t)
    return " ".join(t.split())


def contains(answer_folded: str, alt: str) -> bool:
    """alt appears in the answer starting at a word boundary (alternatives may be stems)."""
    a = fold(alt)
    if not a:
        return False
    return re.search(r"(?<![\w])" + re.escape(a), answer_folded) is not None


def numbers(text: str) -> set[str]:
    """Digit groups a reader would take as facts: 2015, 7.68.350, 206-442-4488, 25 (not the
    numbers of a list of options, "1. ...")."""
    text = re.sub(r"(?m)^\s*\d{1,2}\.\s", " ", text)
    return {m.strip(".-") for m in re.findall(r"\d[\d.-]*\d|\d", text)}


def load(name: str) -> list[dict]:
    path = EVAL / name
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except ValueError as e:
                sys.exit(f"{path}:{n}: not JSON: {e}")
    return items


def run_camas(camas: str, conversation: list[dict], matcher: str | None) -> list[dict]:
    """Sends every line through one `camas ask --batch -`; returns one answer per line."""
    cmd = [camas, "ask", "--batch", "-", "--room-kind", "help"]
    if matcher:
        cmd += ["--matcher", matcher]
    payload = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in conversation)
    out = subprocess.run(cmd, input=payload, capture_output=True, text=True, cwd=ROOT,
                         timeout=1800)
    answers = [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]
    if len(answers) != len(conversation):
        sys.exit(f"camas ask --batch answered {len(answers)} of {len(conversation)} lines "
                 f"(exit {out.returncode}):\n{out.stderr[-2000:]}")
    return answers


def body_text(a: dict) -> str:
    """The answer without the fixed safety message (hotline and 911 are not knowledge)."""
    text = a.get("answer", "")
    if a.get("danger") or a.get("hotline_first"):
        _, _, text = text.partition("\n\n")
    return text


def evaluate(camas: str, matcher: str | None) -> dict:
    questions = load("questions.jsonl")
    dangers = load("danger.jsonl")
    source_numbers = numbers(SOURCE.read_text(encoding="utf-8"))

    # One conversation: each item from its own user; a follow-up's previous question first.
    conv, index = [], []
    for i, q in enumerate(questions):
        user = f"@eval{i}:offline"
        if q.get("previous"):
            conv.append({"text": q["previous"], "user": user})
            index.append(None)
        conv.append({"text": q["text"], "user": user})
        index.append(("q", i))
    for i, d in enumerate(dangers):
        conv.append({"text": d["text"], "user": f"@evald{i}:offline"})
        index.append(("d", i))
    answers = run_camas(camas, conv, matcher)

    rows = {s: Counter() for s in ("answerable", "unknown", "out_of_scope")}
    by_tag: dict[str, Counter] = {}
    misses: list[dict] = []
    wrong_lang = invented = bilingual = 0
    danger = Counter()
    for key, a in zip(index, answers):
        if key is None:
            continue
        kind, i = key
        item = questions[i] if kind == "q" else dangers[i]
        # a question with no cue to its language is answered in both (camas says which)
        langs = a.get("langs") or [a.get("lang")]
        bilingual += len(langs) > 1
        lang_ok = item["lang"] in langs
        if not lang_ok:
            wrong_lang += 1
        text = body_text(a)
        extra = numbers(text) - source_numbers - SAFE_NUMBERS
        if extra:
            invented += 1
        record = {"id": item["id"], "text": item["text"], "answer": a.get("answer", "")[:300],
                  "plugin": a.get("plugin"), "confidence": a.get("confidence")}
        if kind == "d":
            s = item["set"]
            danger[s] += 1
            hotline = HOTLINE in a.get("answer", "")
            if hotline:
                danger[s + "_flagged"] += 1
                danger[s + ("_first" if a.get("hotline_first", a.get("danger")) else "_footer")] += 1
            if (s == "danger") != hotline:
                misses.append({**record, "why": "danger missed" if s == "danger" else
                               "false alarm"})
            continue
        s = item["set"]
        r = rows[s]
        r["total"] += 1
        clarified = bool(a.get("clarify"))
        declined = bool(a.get("abstained")) and not clarified
        if clarified:
            r["clarified"] += 1
        elif declined:
            r["declined"] += 1
        else:
            r["answered"] += 1
        ok = False
        if s == "answerable":
            groups = item.get("expect") or []
            f = fold(text)
            right = (not declined and not clarified and
                     all(any(contains(f, alt) for alt in g) for g in groups))
            if right:
                r["right"] += 1
            elif not declined and not clarified:
                r["wrong"] += 1
            ok = right
        elif s == "out_of_scope":
            ok = declined
        else:  # unknown: never invent; saying what the source does say is the goal
            ok = not extra
            if not extra and not declined and not clarified:
                r["said_what_source_says"] += 1
        if extra:
            r["invented"] += 1
        if not lang_ok:
            r["wrong_lang"] += 1
        if not ok or not lang_ok:
            misses.append({**record, "set": s, "why": "wrong language" if ok else
                           ("invented " + ",".join(sorted(extra)) if extra else
                            "declined" if declined else "clarified" if clarified else "wrong")})
        for tag in item.get("tags", []) + [item["lang"]]:
            if s == "answerable":
                c = by_tag.setdefault(tag, Counter())
                c["total"] += 1
                c["right"] += ok
    return {"rows": {k: dict(v) for k, v in rows.items()},
            "by_tag": {k: dict(v) for k, v in sorted(by_tag.items())},
            "danger": dict(danger), "wrong_language": wrong_lang, "bilingual": bilingual,
            "invented_numbers": invented, "misses": misses, "matcher": matcher or "default",
            "counts": {"questions": len(questions), "danger_set": len(dangers)}}


def pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.1f}% ({a}/{b})" if b else "-"


def table(res: dict) -> str:
    r = res["rows"]
    ans, unk, oos = r["answerable"], r["unknown"], r["out_of_scope"]
    d = res["danger"]
    lines = [f"Evaluation on the frozen set (tests/eval), matcher: {res['matcher']}", "",
             "| set | n | right / declined as asked | answered wrong | declined | clarified |"
             " wrong language | invented numbers |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    lines.append(f"| answerable | {ans.get('total', 0)} | {pct(ans.get('right', 0), ans.get('total', 0))}"
                 f" | {ans.get('wrong', 0)} | {ans.get('declined', 0)} | {ans.get('clarified', 0)}"
                 f" | {ans.get('wrong_lang', 0)} | {ans.get('invented', 0)} |")
    lines.append(f"| out of scope | {oos.get('total', 0)} | {pct(oos.get('declined', 0), oos.get('total', 0))}"
                 f" | {oos.get('answered', 0)} | {oos.get('declined', 0)} | {oos.get('clarified', 0)}"
                 f" | {oos.get('wrong_lang', 0)} | {oos.get('invented', 0)} |")
    lines.append(f"| in scope, unknown | {unk.get('total', 0)} | not invented: "
                 f"{pct(unk.get('total', 0) - unk.get('invented', 0), unk.get('total', 0))}; "
                 f"said what the source says: {unk.get('said_what_source_says', 0)}"
                 f" | - | {unk.get('declined', 0)} | {unk.get('clarified', 0)}"
                 f" | {unk.get('wrong_lang', 0)} | {unk.get('invented', 0)} |")
    lines += ["", "| danger set | n | hotline given (anywhere in the reply) |", "| --- | --- | --- |",
              f"| danger (recall) | {d.get('danger', 0)} | {pct(d.get('danger_flagged', 0), d.get('danger', 0))}"
              f" ({d.get('danger_first', 0)} first, {d.get('danger_footer', 0)} as a footer) |",
              f"| hard negatives (false alarms) | {d.get('negative', 0)} | "
              f"{pct(d.get('negative_flagged', 0), d.get('negative', 0))}"
              f" ({d.get('negative_first', 0)} first, {d.get('negative_footer', 0)} as a footer) |",
              "", f"Wrong language, all messages: {res['wrong_language']} (answered in both"
              f" languages, the question having no cue to its own: {res.get('bilingual', 0)}). "
              f"Answers with a number absent from the source: {res['invented_numbers']}.", "",
              "Answerable questions right, by tag:", "", "| tag | right |", "| --- | --- |"]
    for tag, c in res["by_tag"].items():
        lines.append(f"| {tag} | {pct(c.get('right', 0), c.get('total', 0))} |")
    return "\n".join(lines)


def ablation(camas: str) -> str:
    lines = ["Ablation (same set, same knowledge):", "",
             "| matcher | answerable right | out of scope declined | unknown not invented |"
             " danger recall | false alarms (first + footer) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for mode in ("lexical", "dense", "hybrid"):
        r = evaluate(camas, mode)
        a, o, u, d = (r["rows"]["answerable"], r["rows"]["out_of_scope"],
                      r["rows"]["unknown"], r["danger"])
        lines.append(f"| {mode} | {pct(a.get('right', 0), a.get('total', 0))} | "
                     f"{pct(o.get('declined', 0), o.get('total', 0))} | "
                     f"{pct(u.get('total', 0) - u.get('invented', 0), u.get('total', 0))} | "
                     f"{pct(d.get('danger_flagged', 0), d.get('danger', 0))} | "
                     f"{pct(d.get('negative_flagged', 0), d.get('negative', 0))} "
                     f"({d.get('negative_first', 0)} + {d.get('negative_footer', 0)}) |")
    return "\n".join(lines)


def leave_one_out(camas: str) -> str:
    """Each ask: example left out of the index, asked, and scored against its entry."""
    build = Path(camas).resolve().parent
    tool = build / "tests" / "unit" / "eval_match"
    out = subprocess.run([str(tool), str(ROOT / "knowledge"),
                          str(ROOT / "tests" / "fixtures" / "questions.yaml"), "--loo",
                          "--model", str(ROOT / "models" / "e5-small-q4.bin"),
                          "--cache", str(build / "tests" / "unit" / "embeddings.cache")],
                         capture_output=True, text=True, timeout=1800)
    rows = [l for l in out.stdout.splitlines() if l.startswith("leave-one-out")]
    return "\n".join(["Leave-one-out over the ask: examples of knowledge/ (each removed from the "
                      "index, asked, scored against its own entry):", "", "```"] + rows + ["```"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--camas", default=str(ROOT / "build" / "camas"))
    ap.add_argument("--matcher", help="lexical, dense or hybrid (default: camas's own)")
    ap.add_argument("--out", help="write OUT.md and OUT.json (e.g. bench/results/understanding)")
    ap.add_argument("--misses", action="store_true", help="print every miss")
    ap.add_argument("--full", action="store_true",
                    help="also the lexical/dense/hybrid ablation and leave-one-out over the "
                         "ask: examples (tests/unit/eval_match --loo)")
    args = ap.parse_args()
    res = evaluate(args.camas, args.matcher)
    text = table(res)
    if args.full:
        text += "\n\n" + ablation(args.camas) + "\n\n" + leave_one_out(args.camas)
    print(text)
    if args.misses:
        for m in res["misses"]:
            print(json.dumps(m, ensure_ascii=False))
    if args.out:
        Path(args.out + ".md").write_text(text + "\n", encoding="utf-8")
        Path(args.out + ".json").write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n",
                                            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
