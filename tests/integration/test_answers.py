"""Knowledge answers: the `camas ask --json` contract, answers in real rooms through
Synapse, and answers never stating a fact (e-mail, phone, year, RCW) absent from the source.

Accuracy over the whole question set is measured elsewhere (tests/unit/eval_match,
test_accuracy.py); here each test checks one behaviour with a few precise questions."""
from __future__ import annotations

import json
import random
import re
import time

import pytest
import yaml

from harness import REPO_ROOT, ask_batch, ask_json, in_reply_to

HOTLINE = "1-888-373-7888"
HOTLINE_TEXT = "233733"
# The source text lives in the repository; ../shared/seed keeps the copy it was taken from.
SEED = REPO_ROOT / "knowledge" / "source" / "anti-trafficking-bodies.fr.txt"
SHARED_SEED = REPO_ROOT / ".." / "shared" / "seed" / "anti-trafficking-bodies.fr.txt"
NOT_SURE_EN = "I'm not sure I can answer that"
NOT_SURE_FR = "Je ne suis pas sûr de pouvoir répondre"
SETTLE = 1.5

KEYS = {"answer": str, "html": str, "lang": str, "plugin": str, "confidence": (int, float),
        "abstained": bool, "danger": bool, "danger_footer": bool, "hotline_first": bool, "clarify": bool,
        "options": list, "langs": list}


# =========================================================================================
# (a) the `camas ask --json` contract (offline, no homeserver)
# =========================================================================================
class TestAskContract:
    @pytest.fixture(autouse=True)
    def _synapse_running(self):
        """Overrides conftest's fixture: no homeserver needed."""
        yield

    def test_keys_and_types(self):
        for q in ("Who chairs the task force?", "Qui préside le groupe de travail ?",
                  "!help", "what is the capital of France?", "I am being trafficked, help"):
            a = ask_json(q)
            assert set(a) == set(KEYS), (q, a)
            for k, t in KEYS.items():
                assert isinstance(a[k], t), (q, k, a[k])
            assert a["lang"] in ("en", "fr"), a
            assert 0.0 <= a["confidence"] <= 1.0, a
            assert a["answer"].strip(), a
            assert a["html"].strip().startswith("<"), a
            assert a["plugin"] in ("", "builtin", "faq", "meetings", "contacts", "members"), a

    def test_noise_is_not_danger(self):
        """A run of one character has a vector that can land near danger examples; the
        learned detector leaves it alone (no hotline for "ééééé…")."""
        for q in ("é" * 60, "x" * 40, "aaaaaaaaaaaaaaaa?"):
            a = ask_json(q)
            assert not a["danger"] and not a["danger_footer"], (q, a)
        assert ask_json("sos")["danger"]  # short is not noise

    def test_doubtful_danger_leads_a_decline(self):
        """Weaker evidence puts the hotline after an answer; when there is no answer to give
        ("I'm not sure…"), nothing would be read before it, so it leads, and the reply still
        counts as declined. Doubtful messages from the development sets, each checked."""
        led = 0
        for q in ("je suis enfermé dans une chambre depuis 3 jours",
                  "svp jpeu pas rester longtemps, ils controlent tout",
                  "Is it trafficking if my own family is making me do this for money?",
                  "jsuis mineure et il poste des annonces avec mes photos",
                  "il m'a marquee avec un tatouage code barre",
                  # doubtful again since session 21's training examples made the ones above
                  # clear dangers
                  "ma tante est domestique logee a spokane, pas de telephone, pas un jour de "
                  "conge en un an",
                  'he tattooed "property of K" on my friend'):
            a = ask_json(q)
            assert HOTLINE in a["answer"].split("\n\n")[0], (q, a)
            assert a["hotline_first"], (q, a)
            if a["danger_footer"]:
                led += 1
                assert a["abstained"] and not a["danger"], (q, a)
                assert a["answer"].count("\n\n") >= 1 and a["html"].startswith("<p><em>"), a
        assert led, "none of the doubtful messages was doubtful: pick new ones"

    def test_lang_follows_the_question(self):
        en = ask_json("Who chairs the task force?")
        assert (en["lang"], en["plugin"], en["abstained"]) == ("en", "members", False), en
        assert "Richard Torrance" in en["answer"] and "chaired" in en["answer"], en
        fr = ask_json("Qui préside le groupe de travail ?")
        assert (fr["lang"], fr["plugin"], fr["abstained"]) == ("fr", "members", False), fr
        assert "Richard Torrance" in fr["answer"] and "présidé" in fr["answer"], fr
        fr2 = ask_json("À quelle fréquence le groupe de travail se réunit-il ?")
        assert fr2["lang"] == "fr" and "deux à trois fois par an" in fr2["answer"], fr2
        en2 = ask_json("How often does the task force meet?")
        assert en2["lang"] == "en" and "two to three times a year" in en2["answer"], en2

    def test_english_words_without_cues_stay_english(self):
        """The knowledge's vocabulary reads typos, so it also read the English "into" as a
        typo of the French "info": words only an English dictionary has are English, while
        a cue-less question of French words ("reunions washact") stays French."""
        for q in ("translate 'good morning' into Japanese", "into"):
            assert ask_json(q)["lang"] == "en", q
        for q in ("reunions washact", "richard torrance fonction"):
            assert ask_json(q)["lang"] == "fr", q

    def test_a_question_without_any_cue_is_answered_in_both_languages(self):
        """"Kyle Bois", "RCW 7.68.801": nothing says which language the asker reads, and
        either guess answers half of them in the other one. Both, English first; a question
        with a cue, or after one from the same asker, keeps its one language."""
        for q in ("Kyle Bois", "RCW 7.68.801"):
            a = ask_json(q)
            assert a["langs"] == ["en", "fr"] and a["lang"] == "en", a
            assert not a["abstained"], a
            en, sep, fr = a["answer"].partition("\n\n")
            assert sep and re.search(r"Senate Bill|Assistant Attorney General", en), a
            assert re.search(r"sous-procureur|projet de loi", fr), a
        # a cue (an English question word, a French one) or the same asker's previous
        # question in French settles it
        assert ask_json("who is Kyle Bois?")["langs"] == ["en"]
        assert ask_json("c'est qui Kyle Bois ?")["langs"] == ["fr"]
        after = ask_batch([json.dumps({"text": t, "user": "@one:asker"})
                           for t in ("qui contacter pour le comité CSEC ?", "Kyle Bois")])[1]
        assert after["langs"] == ["fr"] and after["lang"] == "fr", after
        # ...and so is the hotline, when the message with no cue alarms ("911")
        alarm = ask_json("911")
        assert alarm["langs"] == ["en", "fr"] and alarm["hotline_first"], alarm
        assert alarm["answer"].startswith("If you or someone") and "Appelez le 911" in alarm["answer"]
        # the abstention is said in both too, and is still one
        none = ask_json("RCW 9.99.999")
        assert none["langs"] == ["en", "fr"] and none["abstained"], none
        assert "not sure" in none["answer"] and "pas sûr" in none["answer"], none

    def test_lang_option_forces_english(self):
        a = ask_json("Qui préside le groupe de travail ?", "--lang", "en")
        assert a["lang"] == "en" and not a["abstained"], a
        assert "Richard Torrance" in a["answer"] and "chaired" in a["answer"], a

    def test_lang_option_forces_french(self):
        a = ask_json("Who chairs the task force?", "--lang", "fr")
        assert a["lang"] == "fr", a
        assert not a["abstained"], a
        assert "Richard Torrance" in a["answer"] and "présidé" in a["answer"], a

    def test_lang_option_rejects_other_languages(self):
        from harness import run_cli
        r = run_cli(["ask", "--json", "--lang", "de", "Who chairs the task force?"],
                    cwd=REPO_ROOT)
        assert r.returncode == 2 and "--lang" in r.stderr, r

    def test_room_kind_staff(self):
        a = ask_json("Who chairs the task force?", "--room-kind", "staff")
        assert a["plugin"] == "members" and "Richard Torrance" in a["answer"], a
        p = ask_json("!ping", "--room-kind", "staff")
        assert (p["plugin"], p["answer"]) == ("builtin", "pong"), p
        f = ask_json("!faq legal-basis", "--room-kind", "staff")
        assert f["plugin"] == "faq" and "RCW 7.68.350" in f["answer"], f

    @pytest.mark.parametrize("q,lang", [
        ("what is the capital of France?", "en"),
        ("what is the weather in Seattle tomorrow?", "en"),
        ("what does California's anti-trafficking task force do?", "en"),
        ("parle-moi du groupe de travail contre la traite de l'Oregon", "fr"),
        ("quelle est la capitale de la France ?", "fr"),
        ("quel temps fera-t-il demain à Seattle ?", "fr"),
    ])
    def test_out_of_scope_is_declined_honestly(self, q, lang):
        a = ask_json(q)
        assert a["abstained"] is True and a["danger"] is False, a
        assert a["lang"] == lang, a
        assert a["answer"].startswith(NOT_SURE_EN if lang == "en" else NOT_SURE_FR), a
        assert "!help" in a["answer"], a
        # nothing that looks like a fact
        assert not re.search(r"@|\d{3}-\d{4}|RCW|\b(19|20)\d\d\b", a["answer"]), a

    @pytest.mark.parametrize("q,lang", [
        ("I am being trafficked, help", "en"),
        ("my boss took my passport and won't let me leave", "en"),
        ("someone is forcing me to work and I can't leave", "en"),
        ("je suis victime de traite, aidez-moi", "fr"),
        ("mon patron a pris mon passeport et je ne peux pas partir", "fr"),
    ])
    def test_danger_answer_starts_with_hotline(self, q, lang):
        a = ask_json(q)
        assert a["danger"] is True and a["abstained"] is False, a
        assert a["lang"] == lang, a
        first = a["answer"].split("\n\n")[0]
        assert HOTLINE in first and HOTLINE_TEXT in first and "911" in first, a
        assert a["answer"].index(HOTLINE) < 400, a
        assert a["html"].startswith("<p>") and HOTLINE in a["html"].split("</p>")[0], a

    def test_help_lists_commands(self):
        a = ask_json("!help")
        assert a["plugin"] == "builtin" and not a["abstained"], a
        for cmd in ("!faq", "!meetings", "!contact", "!member", "!help", "!ping"):
            assert cmd in a["answer"], (cmd, a["answer"])
            assert cmd in a["html"], (cmd, a["html"])

    def test_help_in_french_is_french(self):
        a = ask_json("!help", "--lang", "fr")
        assert a["lang"] == "fr", a
        for cmd in ("!faq", "!meetings", "!contact", "!member"):
            assert cmd in a["answer"], cmd
        # The plugin lines are French; the surrounding text must be too.
        assert "I answer questions" not in a["answer"], a["answer"]
        assert "Or just ask a question" not in a["answer"], a["answer"]

    def test_bare_faq_lists_topics(self):
        a = ask_json("!faq")
        assert a["plugin"] == "faq" and not a["abstained"], a
        assert a["answer"].startswith("Usage: !faq TOPIC"), a
        for topic in ("legal-basis", "duties", "mission"):
            assert topic in a["answer"], (topic, a)
        fr = ask_json("!faq", "--lang", "fr")
        assert fr["lang"] == "fr" and "legal-basis" in fr["answer"], fr
        assert "Usage: !faq" not in fr["answer"], fr  # French usage text

    def test_bare_member_gives_usage(self):
        a = ask_json("!member")
        assert a["plugin"] == "members", a
        assert a["answer"].startswith("Usage: !member"), a
        assert "task-force|washact|csec" in a["answer"], a

    def test_bare_contact_lists_every_body(self):
        a = ask_json("!contact")
        assert a["plugin"] == "contacts" and not a["abstained"], a
        for fact in ("Task Force", "warntrafficking@yahoo.com", "KyleW@atg.wa.gov",
                     "206-442-4488"):
            assert fact in a["answer"], (fact, a)
        bad = ask_json("!contact nowhere")
        assert bad["answer"] == "Usage: !contact [task-force|washact|csec]", bad

    def test_bare_meetings_lists_every_body(self):
        a = ask_json("!meetings")
        assert a["plugin"] == "meetings" and not a["abstained"], a
        paras = a["answer"].split("\n\n")
        assert len(paras) == 3, paras
        assert "two to three times a year" in paras[0], paras
        assert paras[1].startswith("WashACT"), paras
        assert "CSEC" in paras[2], paras
        bad = ask_json("!meetings nowhere")
        assert bad["answer"] == "Usage: !meetings [task-force|washact|csec]", bad
        badfr = ask_json("!meetings nowhere", "--lang", "fr")
        assert badfr["answer"] == "Usage : !meetings [task-force|washact|csec]", badfr

    def test_commands_with_arguments(self):
        f = ask_json("!faq legal-basis")
        assert "RCW 7.68.350" in f["answer"] and "RCW 7.68.801" in f["answer"], f
        c = ask_json("!contact csec")
        assert "Kyle Bois" in c["answer"] and "206-442-4488" in c["answer"], c
        assert "warntrafficking" not in c["answer"], c
        m = ask_json("!member torrance")
        assert "Richard Torrance" in m["answer"], m
        # the CSEC committee's contact is in the source: listed, with that role
        k = ask_json("!member Kyle Bois")
        assert "Kyle Bois" in k["answer"] and "contact person" in k["answer"], k
        assert "does not list" not in k["answer"], k
        mt = ask_json("!meetings washact", "--lang", "fr")
        assert mt["lang"] == "fr" and mt["answer"].startswith("WashACT — rythme : "), mt

    def test_unknown_command(self):
        a = ask_json("!frobnicate")
        assert a["plugin"] == "builtin" and "!frobnicate" in a["answer"], a
        assert "!help" in a["answer"], a


# =========================================================================================
# (b) through a real Synapse
# =========================================================================================
def body(ev) -> str:
    return ev["content"]["body"]


def replies_in_order(client, room, bot_id, event_id):
    return [e for e in client.events_from(room, bot_id)
            if e.get("type") == "m.room.message" and in_reply_to(e) == event_id]


def start_bot_in(make_bot, alice, kind, **over):
    room = alice.create_room(name=kind)
    bot = make_bot(rooms=[{"id": room, "kind": kind}], **over).start()
    alice.wait_membership(room, bot.user_id, "join")
    return room, bot


def test_bot_uses_default_plugins_and_knowledge(make_bot):
    """The test bots set neither plugins.dir nor knowledge_dir: the build's plugins and the
    repository's knowledge/ are found from the binary's location (camas runs in a temp dir)."""
    bot = make_bot()
    assert "knowledge_dir" not in bot.camas.config
    assert "dir" not in (bot.camas.config.get("plugins") or {})
    bot.start()
    for name in ("faq", "meetings", "contacts", "members"):
        bot.camas.wait_log(rf"{name} \S+ loaded")


HELP_QA = [
    # (question, language, facts that must all be in the reply)
    ("Who chairs the task force?", "en", ["Richard Torrance"]),
    ("What law created the task force?", "en", ["RCW 7.68.350"]),
    ("What is the phone number of the CSEC committee?", "en", ["206-442-4488"]),
    ("Comment contacter WashACT ?", "fr", ["warntrafficking@yahoo.com"]),
    ("À quelle fréquence le groupe de travail se réunit-il ?", "fr",
     ["deux à trois fois par an"]),
    ("Qui préside le groupe de travail ?", "fr", ["Richard Torrance", "présidé"]),
]


def test_help_room_answers_facts_in_the_question_language(make_bot, alice):
    room, bot = start_bot_in(make_bot, alice, "help")
    ids = [alice.send(room, q) for q, _, _ in HELP_QA]
    replies = alice.assert_replies_exactly_once(room, bot.user_id, ids, timeout=40)
    for (q, lang, facts), eid in zip(HELP_QA, ids):
        r = replies[eid]
        assert r["content"]["msgtype"] == "m.notice", r
        text = body(r)
        for fact in facts:
            assert fact in text, (q, text)
        if lang == "fr":
            assert re.search(r"\b(le|la|les|est|pour|des)\b", text), (q, text)
            assert not re.search(r"\b(the|is|for|and)\b", text), (q, text)
        else:
            assert re.search(r"\b(the|is|by)\b", text), (q, text)
            assert not re.search(r"\b(le|est|pour)\b", text), (q, text)


def test_help_room_out_of_scope_is_honest(make_bot, alice):
    room, bot = start_bot_in(make_bot, alice, "help")
    en = alice.send(room, "what is the capital of France?")
    fr = alice.send(room, "quelle est la capitale de la France ?")
    replies = alice.assert_replies_exactly_once(room, bot.user_id, [en, fr])
    assert body(replies[en]).startswith(NOT_SURE_EN), replies[en]
    assert body(replies[fr]).startswith(NOT_SURE_FR), replies[fr]


DANGER_EN = "I am being trafficked, help"
DANGER_FR = "je suis victime de traite, aidez-moi"


def test_danger_gets_hotline_first(make_bot, alice):
    room, bot = start_bot_in(make_bot, alice, "help")
    en = alice.send(room, DANGER_EN)
    fr = alice.send(room, DANGER_FR)
    sentinel = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, sentinel)
    alice.wait_reply(room, bot.user_id, en)
    alice.wait_reply(room, bot.user_id, fr)
    time.sleep(SETTLE)
    for eid, lang in ((en, "en"), (fr, "fr")):
        rs = replies_in_order(alice, room, bot.user_id, eid)
        assert 1 <= len(rs) <= 2, rs
        # The hotline comes first: its own event, or the first paragraph of the reply.
        first, _, rest = body(rs[0]).partition("\n\n")
        assert HOTLINE in first and HOTLINE_TEXT in first and "911" in first, rs
        assert rest == "" and len(rs) == 1, rs  # a cry for help gets no unrelated answer
        assert first == ask_json(DANGER_EN if lang == "en" else DANGER_FR)["answer"] \
            .split("\n\n")[0], first
        for t in [rest] + [body(later) for later in rs[1:]]:
            # nothing contradicting the safety reply: no "not sure", no other number
            assert NOT_SURE_EN not in t and NOT_SURE_FR not in t, t
            assert HOTLINE not in t or t.count(HOTLINE) == 1, t
            phones = re.findall(r"\b\d{3}-\d{3}-\d{4}\b", t)
            assert set(phones) <= {"206-442-4488", "888-373-7888"}, t


def test_questions_are_answered_while_the_detectors_train(make_bot, alice, tmp_path):
    """Staff added danger examples: the new worker trains its danger detector again (about a
    second, three on a loaded machine). A question sent meanwhile must be answered, not wait
    behind the training: trained in one piece, it kept the worker silent past the core's
    plugin deadline, which then killed the worker and blamed a plugin (issue 11). Here the
    deadline is short (300 ms) so that a worker deaf for the training is caught."""
    import shutil
    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", knowledge)
    (knowledge / "safety" / "zz-staff-added.yaml").write_text(
        "danger:\n  en:\n    - \"they took my phone so i cannot call anyone for help\"\n"
        "safe:\n  en:\n    - \"they took my order at the counter and called my name\"\n",
        encoding="utf-8")
    room, bot = start_bot_in(make_bot, alice, "help", knowledge_dir=str(knowledge),
                             plugins={"deadline_ms": 300})
    bot.camas.wait_log(r"training the danger classifier", timeout=60)
    ids = [alice.send(room, "Who chairs the task force?"), alice.send(room, DANGER_EN)]
    replies = alice.assert_replies_exactly_once(room, bot.user_id, ids, timeout=40)
    assert "Richard Torrance" in body(replies[ids[0]]), replies[ids[0]]
    assert HOTLINE in body(replies[ids[1]]).partition("\n\n")[0], replies[ids[1]]
    bot.camas.wait_log(r"danger classifier trained", timeout=60)
    bot.camas.wait_understanding(timeout=60)
    log = bot.camas.log_since_start()
    assert "did not finish within" not in log and "stopping the worker" not in log, log


def test_rate_limit_never_suppresses_the_hotline(make_bot, alice):
    limit = 2
    room, bot = start_bot_in(make_bot, alice, "help",
                             limits={"help_user_per_minute": limit})
    # Use up the limit with ordinary questions, and check the limit is in force.
    ordinary = [alice.send(room, "Who chairs the task force?") for _ in range(limit)]
    alice.assert_replies_exactly_once(room, bot.user_id, ordinary)
    over = alice.send(room, "What law created the task force?")
    danger = [alice.send(room, DANGER_EN if i % 2 == 0 else DANGER_FR)
              for i in range(limit + 3)]
    for eid in danger:
        alice.wait_reply(room, bot.user_id, eid, timeout=30)
    time.sleep(SETTLE)
    assert alice.replies_to(room, bot.user_id, over) == [], "the rate limit is not in force"
    for eid in danger:
        rs = replies_in_order(alice, room, bot.user_id, eid)
        assert rs and HOTLINE in body(rs[0]), rs


def test_staff_room_ignores_unmentioned_questions_but_runs_commands(make_bot, alice):
    room, bot = start_bot_in(make_bot, alice, "staff")
    plain = alice.send(room, "Who chairs the task force?")
    plain_fr = alice.send(room, "Qui préside le groupe de travail ?")
    faq = alice.send(room, "!faq legal-basis")
    contact = alice.send(room, "!contact washact")
    mention = alice.send(room, f"{bot.user_id} qui préside le groupe de travail ?",
                         mentions=[bot.user_id])
    replies = alice.assert_replies_exactly_once(room, bot.user_id, [faq, contact, mention],
                                                settle=SETTLE)
    assert "RCW 7.68.350" in body(replies[faq]), replies[faq]
    assert "warntrafficking@yahoo.com" in body(replies[contact]), replies[contact]
    m = body(replies[mention])
    assert "Richard Torrance" in m and "présidé" in m, m
    assert alice.replies_to(room, bot.user_id, plain) == []
    assert alice.replies_to(room, bot.user_id, plain_fr) == []
    assert len(alice.bot_messages(room, bot.user_id)) == 3


def test_staff_room_danger_gets_hotline_without_mention(make_bot, alice):
    """Room policy never silences the safety reply."""
    room, bot = start_bot_in(make_bot, alice, "staff")
    chatter = alice.send(room, "meeting moved to 3pm")
    danger = alice.send(room, "je suis en danger, ils ont pris mon passeport")
    reply = alice.wait_reply(room, bot.user_id, danger)
    assert HOTLINE in body(reply) and "911" in body(reply), reply
    assert "If you or someone" not in body(reply), reply  # French only: the message says so
    # a message with no cue to its language gets the hotline in both
    terse = alice.send(room, "passport taken")
    both = body(alice.wait_reply(room, bot.user_id, terse))
    assert both.startswith("If you or someone") and "Appelez le 911" in both, both
    time.sleep(SETTLE)
    assert alice.replies_to(room, bot.user_id, chatter) == []
    assert len(alice.bot_messages(room, bot.user_id)) == 2


# =========================================================================================
# (c) no fact absent from the source
# =========================================================================================
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\d-])(?:1-)?\d{3}[-. ]\d{3}[-. ]\d{4}(?![\d-])")
YEAR = re.compile(r"(?<![\d.])(?:19|20)\d\d(?![\d.])")
RCW = re.compile(r"RCW\s+\d+[A-Z]?(?:\.\d+[A-Z]?)+")


def facts(text: str) -> set:
    """E-mail addresses, phone numbers, 4-digit years and RCW numbers in a text."""
    out = {e.rstrip(".").lower() for e in EMAIL.findall(text)}
    out |= {re.sub(r"^1-", "", p).replace(".", "-").replace(" ", "-")
            for p in PHONE.findall(text)}
    out |= set(YEAR.findall(text))
    out |= {"RCW " + r.split()[-1] for r in RCW.findall(text)}
    return out


@pytest.fixture(scope="module")
def seed_facts() -> set:
    assert SEED.is_file(), f"source text not found at {SEED}"
    return facts(SEED.read_text(encoding="utf-8"))


class TestNoInventedFacts:
    @pytest.fixture(autouse=True)
    def _synapse_running(self):
        yield

    def test_source_is_the_shared_seed(self):
        """The repository's copy is the seed, byte for byte, when the seed is beside it."""
        assert SEED.is_file(), f"source text not found at {SEED}"
        if SHARED_SEED.is_file():
            assert SEED.read_bytes() == SHARED_SEED.read_bytes()

    def test_fact_extraction(self, seed_facts):
        # guards the regexes themselves
        assert {"206-442-4488", "kylew@atg.wa.gov", "warntrafficking@yahoo.com", "2006",
                "2013", "2015", "RCW 7.68.350", "RCW 7.68.801"} <= seed_facts, seed_facts
        assert facts("call 1-888-373-7888 in 2031, RCW 9A.40.100.") == {
            "888-373-7888", "2031", "RCW 9A.40.100"}
        assert facts("Senate Bill 5884, 5308") == set()

    def test_sampled_answers_only_state_source_facts(self, seed_facts):
        data = yaml.safe_load((REPO_ROOT / "tests/fixtures/questions.yaml")
                              .read_text(encoding="utf-8"))
        qs = [q for q in data["questions"] if "\n" not in q["q"] and q["q"].strip()]
        sample = random.Random(20260404).sample(qs, 40)
        answers = ask_batch([q["q"] for q in sample])
        bad = []
        checked = 0
        for q, a in zip(sample, answers):
            text = a["answer"]
            if a["danger"]:
                # The safety message (hotline, 911) is fixed text, not knowledge.
                first, _, text = text.partition("\n\n")
                assert HOTLINE in first, (q["q"], a)
            found = facts(text)
            checked += len(found)
            missing = found - seed_facts
            if missing:
                bad.append(f"{q['q']!r} -> {sorted(missing)}: {text[:200]}")
        assert not bad, "\n".join(bad)
        assert checked >= 10, f"only {checked} facts in 40 answers: sample too weak"

    def test_every_knowledge_answer_only_states_source_facts(self, seed_facts):
        """The same check over every answer text in knowledge/ (both languages)."""
        bad = []
        for path in sorted((REPO_ROOT / "knowledge").rglob("*.yaml")):
            if path.parent.name in ("safety", "scope"):
                continue  # classifier training messages, never said to anyone
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            # camas's own texts (messages/) may also give the hotline, and only that
            allowed = seed_facts | ({HOTLINE[2:]} if path.parent.name == "messages" else set())

            def walk(node, where):
                if isinstance(node, dict):
                    for k, v in node.items():
                        walk(v, f"{where}.{k}")
                elif isinstance(node, list):
                    for i, v in enumerate(node):
                        walk(v, f"{where}[{i}]")
                elif isinstance(node, str) and ".ask." not in where:
                    missing = facts(node) - allowed
                    if missing:
                        bad.append(f"{path.relative_to(REPO_ROOT)} {where}: {sorted(missing)}")
            walk(doc, "")
        assert not bad, "\n".join(bad)


def test_long_messages_are_weighed_for_danger_and_get_a_notice(make_bot, alice):
    """A message over limits.max_message_bytes is not answered, but a cry for help in it
    still gets the hotline (issue 11: a 4.7 KB message about someone held against their will
    got nothing); a harmless one gets one notice that it is too long (naming the hotline),
    not one per message."""
    room, bot = start_bot_in(make_bot, alice, "help")
    bot.camas.wait_understanding()  # the learned detector reads what the patterns miss
    filler = " ".join(["I have been thinking about this for a long time."] * 100)
    danger = (f"{filler} My cousin is locked in the back of a restaurant, they took her "
              f"passport and she is being trafficked. Please help.")
    assert len(danger.encode()) > 4096
    d = alice.send(room, danger)
    rs = alice.assert_replies_exactly_once(room, bot.user_id, [d], timeout=40)
    first = body(rs[d]).split("\n\n")[0]
    assert HOTLINE in first and HOTLINE_TEXT in first and "911" in first, rs[d]
    assert "too long" not in body(rs[d]), rs[d]  # the safety message itself
    harmless = f"{filler} Anyway, who chairs the task force?"
    h1 = alice.send(room, harmless)
    r1 = alice.assert_replies_exactly_once(room, bot.user_id, [h1], timeout=40)[h1]
    assert "too long" in body(r1) and HOTLINE in body(r1), r1
    assert "Richard Torrance" not in body(r1), r1
    # a second one soon after: no second notice (the learned detector may still look at it,
    # and finds nothing to say), while ordinary questions are answered as usual
    h2 = alice.send(room, harmless + " Thanks.")
    q = alice.send(room, "Who chairs the task force?")
    alice.wait_reply(room, bot.user_id, q)
    time.sleep(SETTLE)
    assert replies_in_order(alice, room, bot.user_id, h2) == [], "a second notice"
