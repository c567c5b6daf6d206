"""Conversations through a real Synapse with a real client (matrix-nio): "Did you mean…"
clarifications and the asker's choice, follow-ups that lean on the asker's previous
question, yes/no questions answered directly, and the context being per asker. The bot's
model is warm (the test waits for it), as a bot that has been running is."""
from __future__ import annotations

import re
import time

import pytest
import yaml

from harness import REPO_ROOT, ask_json

NOT_SURE_EN = "I'm not sure I can answer that"


def body(ev) -> str:
    return ev["content"]["body"]


@pytest.fixture
def help_room(make_bot, alice):
    room = alice.create_room(name="help")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}],
                   limits={"help_user_per_minute": 100, "help_room_per_minute": 100}).start()
    alice.wait_membership(room, bot.user_id, "join")
    bot.camas.wait_understanding()
    return room, bot


def ask_in(client, room, bot, text):
    eid = client.send(room, text)
    return body(client.wait_reply(room, bot.user_id, eid, timeout=40))


# Questions whose best entries are close (which ones depends on the model and thresholds):
# the test takes the first that camas ask says it would clarify.
AMBIGUOUS = ["how big is the CSEC committee's annual budget?",
             "quel est le budget du groupe de travail ?",
             "what statute is the CSEC committee under",
             "are lawmakers from both chambers on the task force?",
             "can a regular citizen show up at a task force meeting?",
             "does WashACT have a Facebook or Twitter account?"]


def test_clarification_then_choice_by_number(help_room, alice, bob):
    room, bot = help_room
    bob.join(room)
    question = next((q for q in AMBIGUOUS if ask_json(q)["clarify"]), None)
    assert question, "none of the ambiguous questions gets a clarification"
    first = ask_in(alice, room, bot, question)
    assert first.startswith(("Did you mean:", "Vouliez-vous dire :")), first
    options = re.findall(r"^(\d)\. (.+)$", first, re.M)
    assert 2 <= len(options) <= 3, first
    assert "1-888" not in first and "$" not in first, first  # no hotline, no invented budget
    # The choice answers that option, exactly as asking it would, in the language of the
    # clarification (an option's words alone, "washact meaning", may have no cue of theirs)
    lang = "en" if first.startswith("Did you mean:") else "fr"
    chosen = ask_in(alice, room, bot, "2")
    assert chosen == ask_json(options[1][1], "--lang", lang)["answer"], (options, chosen)
    # Another member's "2" is not a choice: nobody offered them anything.
    other = ask_in(bob, room, bot, "2")
    assert other.startswith(NOT_SURE_EN), other


def test_follow_ups_use_the_askers_previous_question(help_room, alice, bob):
    room, bot = help_room
    bob.join(room)
    assert "quarterly" in ask_in(alice, room, bot, "how often does washact meet?")
    follow = ask_in(alice, room, bot, "what about the task force?")
    assert "two to three times a year" in follow, follow
    # The same words from someone with no previous question get another answer.
    alone = ask_in(bob, room, bot, "what about the task force?")
    assert alone != follow, alone
    assert "Richard Torrance" in ask_in(alice, room, bot, "qui préside le groupe de travail ?")
    fr = ask_in(alice, room, bot, "et pour le CSEC ?")
    assert "procureur général" in fr, fr
    # "he" after an answer to "who…?" naming one person is that person, through the core's
    # conversation store: not the Seattle police's own entry's "Yes"
    assert "Richard Torrance" in ask_in(bob, room, bot, "who heads the task force?")
    he = ask_in(bob, room, bot, "is he also with the Seattle police?")
    assert he.startswith("No —") and "Richard Torrance" in he, he


def test_a_question_without_language_cues_keeps_the_askers_language(help_room, alice, bob,
                                                                     new_user):
    """"washact email" has no word of either language: after a French question the asker
    gets French; someone else, with no conversation, English; words only the French
    knowledge has ("comitee", "telphone": typos of comité, téléphone) choose French; and
    when the knowledge's words are even, words only the French word list has ("réseau")."""
    room, bot = help_room
    bob.join(room)
    carol = new_user("carol")
    carol.join(room)
    reseau = ask_in(carol, room, bot, "warn reseau")
    assert "Vouliez-vous dire" in reseau or "WashACT est" in reseau, reseau
    assert "Richard Torrance" in ask_in(alice, room, bot, "qui préside le groupe de travail ?")
    fr = ask_in(alice, room, bot, "washact email")
    assert "écrivez à warntrafficking@yahoo.com" in fr, fr
    en = ask_in(bob, room, bot, "washact email")
    assert "e-mail warntrafficking@yahoo.com" in en, en
    csec = ask_in(bob, room, bot, "comitee csec telphone")
    assert "sous-procureur général" in csec, csec


def test_yes_no_questions_get_yes_or_no_first(help_room, alice):
    room, bot = help_room
    no = ask_in(alice, room, bot, "Does WashACT meet monthly?")
    assert no.startswith("No — ") and "quarterly" in no, no
    yes = ask_in(alice, room, bot, "Is the task force chaired by Richard Torrance?")
    assert yes.startswith("Yes — ") and "Richard Torrance" in yes, yes
    non = ask_in(alice, room, bot, "Le groupe de travail se réunit-il chaque mois ?")
    assert non.startswith("Non — ") and "deux à trois fois par an" in non, non
    # an office the source does not name, in the place of the one it names
    gov = ask_in(alice, room, bot, "Is the CSEC committee convened by the Governor?")
    assert gov.startswith("No — ") and "Attorney General" in gov, gov
    # the best entry names the police as a co-chair and says nothing of who convened WashACT:
    # a close entry about WashACT that does settle it answers instead
    conv = ask_in(alice, room, bot, "Was WashACT convened by the Seattle police?")
    assert conv.startswith("No — ") and "U.S. Attorney's Office" in conv, conv
    # "co-chaired by the Seattle Police Department" does not say they convened it
    active = ask_in(alice, room, bot, "Did the Seattle police convene WashACT?")
    assert active.startswith("No — "), active
    # a typo in the claim is read through
    typo = ask_in(alice, room, bot, "Does WashACT meet every monht?")
    assert typo.startswith("No — ") and "quarterly" in typo, typo
    # comparing when two bodies began: the answer gives one year, the knowledge the other
    older = ask_in(alice, room, bot, "Was the CSEC committee created before WashACT?")
    assert older.startswith("No — "), older
    # a name the source does not give in the place of the co-chairs it names
    fbi = ask_in(alice, room, bot, "Le FBI copréside WashACT ?")
    assert fbi.startswith("Non — "), fbi
    # "without an invitation" asks whether the members' meetings are open
    invite = ask_in(alice, room, bot, "Can a journalist attend WashACT member meetings without "
                    "an invitation?")
    assert invite.startswith("No — ") and "invitation" in invite, invite


def test_two_bodies_at_once_get_each_answer(help_room, alice):
    room, bot = help_room
    both = ask_in(alice, room, bot, "when were washact and the csec committee each set up?")
    assert "2006" in both and "2013" in both, both
    mails = ask_in(alice, room, bot, "who do I email about the CSEC committee vs about washact?")
    assert "KyleW@atg.wa.gov" in mails and "warntrafficking@yahoo.com" in mails, mails


def test_body_told_by_a_fact_then_asked_about(help_room, alice):
    """A body named by a fact only its answers state ("the body created under RCW
    7.68.350"), and then something else asked about it: the answer is to what is asked, not
    the entry that states the fact."""
    room, bot = help_room
    cases = [
        ("what must the body created under RCW 7.68.350 do?", "measure and evaluate"),
        ("where are the agendas of the group reauthorized in 2015 posted?",
         "Task Force Meeting Documents"),
        ("que doit faire l'organisme autorisé au RCW 7.68.350 ?", "mesurer et évaluer"),
        # described before a comma, then asked about
        ("the committee whose contact is Kyle Bois, who convenes it?",
         "convened by the Attorney General's Office"),
        ("the group co-chaired by WARN, how often do its members meet?", "quarterly"),
        # told by a person or office of its own
        ("When was the committee convened by the Attorney General's Office created?", "2013"),
        # the fact asked about, with no description: still the entry that states it
        ("which body was created by SB 5308?", "RCW 7.68.801"),
    ]
    for question, fact in cases:
        reply = ask_in(alice, room, bot, question)
        assert fact in reply, (question, reply)


def test_which_body_by_what_it_does_names_the_body(help_room, alice):
    """"Which group meets every quarter?" asks which body: the Task Force's meetings are the
    nearest entry for the words all bodies share, so the entry about every body's meetings,
    which names WashACT as the one meeting quarterly, answers instead. A question that one
    body's entry answers directly keeps it, and one whose best entries are all one body's
    names that body."""
    room, bot = help_room
    quarterly = ask_in(alice, room, bot, "which of the three groups gets together every quarter?")
    assert "WashACT: members meet quarterly" in quarterly, quarterly
    public = ask_in(alice, room, bot, "quel comité laisse le public assister à ses réunions ?")
    assert "CSEC" in public, public
    # told by an office of its own: its entries too close to tell apart still tell the body
    police = ask_in(alice, room, bot, "quel groupe compte la police de Seattle ?")
    assert "WashACT" in police, police


def test_one_body_named_is_not_answered_for_all_three(help_room, alice):
    """The lexical matcher ranks every body's entries: its sure answer to a question naming
    the CSEC committee was the overview of all three bodies (the Task Force's first)."""
    room, bot = help_room
    reply = ask_in(alice, room, bot, "Le comité CSEC s'occupe-t-il des mineurs exploités ?")
    assert "Groupe de travail" not in reply and "WashACT" not in reply, reply
    assert "exploités" in reply, reply


def test_the_models_clear_pick_overrules_the_lexical_matchers(help_room, alice):
    """"quel texte de loi pour le comité CSEC ?": the lexical matcher was sure of the members
    (the words "comité" and "membres" of its examples); the model's pick, well ahead of the
    next, is the law."""
    room, bot = help_room
    reply = ask_in(alice, room, bot, "quel texte de loi pour le comité CSEC ?")
    assert "7.68.801" in reply, reply


def test_paraphrases_are_understood(help_room, alice):
    """Phrasings absent from knowledge/ (checked below) found by the model."""
    room, bot = help_room
    cases = [("who heads up the anti-trafficking task force", "Richard Torrance"),
             ("c'est qui le boss du comité csec", "procureur général"),
             ("how can I get invited to a washact meeting", "warntrafficking@yahoo.com")]
    asks = set()
    for path in (REPO_ROOT / "knowledge").rglob("*.yaml"):
        for e in (yaml.safe_load(path.read_text()) or {}).get("entries") or []:
            for texts in (e.get("ask") or {}).values():
                asks |= {t.lower() for t in texts}
    for q, fact in cases:
        assert q.lower() not in asks, q
        a = ask_in(alice, room, bot, q)
        assert fact in a, (q, a)


LEARNED_ONLY_DANGER = "the man who brought me here says I can't go anywhere until the debt is paid"


def test_learned_danger_is_never_rate_limited(make_bot, alice):
    """Past the help room's rate limit a question gets no answer, but a message only the
    learned detector recognises (no pattern fires on it) still gets the hotline."""
    assert ask_json(LEARNED_ONLY_DANGER, "--matcher", "lexical")["danger"] is False
    room = alice.create_room(name="help")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}],
                   limits={"help_user_per_minute": 1}).start()
    alice.wait_membership(room, bot.user_id, "join")
    bot.camas.wait_understanding()
    first = alice.send(room, "who chairs the task force?")
    assert "Richard Torrance" in body(alice.wait_reply(room, bot.user_id, first))
    limited = alice.send(room, "how often does washact meet?")
    danger = alice.send(room, LEARNED_ONLY_DANGER)
    reply = body(alice.wait_reply(room, bot.user_id, danger, timeout=40))
    assert reply.startswith("If you or someone you know may be in danger") and \
        "1-888-373-7888" in reply, reply
    time.sleep(1.5)
    assert alice.replies_to(room, bot.user_id, limited) == []  # still rate limited


# Messages the learned detector doubts (the hotline as a footer) and no pattern catches,
# that camas has no answer to: the test takes the first that camas ask reads that way.
DOUBTFUL_DANGER = ["c'est de la traite si mes parents me font faire ça pour de l'argent ?",
                   "Is it trafficking if my own family is making me do this for money?",
                   "svp jpeu pas rester longtemps, ils controlent tout",
                   "jsuis mineure et il poste des annonces avec mes photos"]


def test_doubtful_danger_without_an_answer_leads_with_the_hotline(help_room, alice):
    """Weaker evidence puts the hotline after an answer; with no answer to give, nothing
    would be read before it, so in the room it leads "I'm not sure…", in one event."""
    room, bot = help_room
    picked = None
    for text in DOUBTFUL_DANGER:
        a = ask_json(text)
        if a["danger_footer"] and a["abstained"] and \
                not ask_json(text, "--matcher", "lexical")["danger"]:
            picked = text, a
            break
    assert picked, "no message is doubtful any more: pick new ones"
    text, offline = picked
    eid = alice.send(room, text)
    reply = body(alice.wait_reply(room, bot.user_id, eid, timeout=40))
    first, _, rest = reply.partition("\n\n")
    assert "1-888-373-7888" in first and "233733" in first and "911" in first, reply
    assert rest and "1-888-373-7888" not in rest, reply  # the decline follows, once
    assert reply == offline["answer"], (reply, offline)
    time.sleep(1.5)
    assert len(alice.replies_to(room, bot.user_id, eid)) == 1


def test_a_question_without_a_language_cue_gets_both_languages_in_one_event(help_room, alice):
    """"RCW 7.68.801" says nothing of the asker's language: the room gets the answer in
    English and then in French, in one reply, as `camas ask` gives it."""
    room, bot = help_room
    offline = ask_json("RCW 7.68.801")
    assert offline["langs"] == ["en", "fr"], offline
    eid = alice.send(room, "RCW 7.68.801")
    reply = body(alice.wait_reply(room, bot.user_id, eid, timeout=40))
    en, _, fr = reply.partition("\n\n")
    assert "Senate Bill 5308" in en and "projet de loi 5308" in fr, reply
    assert reply == offline["answer"], (reply, offline)
    time.sleep(1.5)
    assert len(alice.replies_to(room, bot.user_id, eid)) == 1


def test_learned_danger_is_read_while_a_reload_warms_up(make_bot, alice, tmp_path):
    """While a knowledge reload re-embeds what changed (seconds), the last load's learned
    detector still reads every message: a cry for help no pattern catches gets the hotline,
    rate limited or not (the soak run found it unanswered during a reload)."""
    import shutil
    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", knowledge)
    room = alice.create_room(name="help")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}], knowledge_dir=str(knowledge),
                   limits={"help_user_per_minute": 1}).start()
    alice.wait_membership(room, bot.user_id, "join")
    bot.camas.wait_understanding()
    first = alice.send(room, "who chairs the task force?")
    assert "Richard Torrance" in body(alice.wait_reply(room, bot.user_id, first))
    # many new example questions: the reload has seconds of embedding to do
    faq = knowledge / "faq" / "general.yaml"
    data = yaml.safe_load(faq.read_text(encoding="utf-8"))
    data["entries"][0]["ask"]["en"] += [f"overview question number {i} about the bodies"
                                        for i in range(1500)]
    faq.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    bot.camas.wait_log("knowledge files changed: reloading", timeout=20)
    danger = alice.send(room, LEARNED_ONLY_DANGER)  # past the rate limit, too
    reply = body(alice.wait_reply(room, bot.user_id, danger, timeout=40))
    assert reply.startswith("If you or someone you know may be in danger") and \
        "1-888-373-7888" in reply, reply


def test_a_real_word_is_not_read_as_a_typo_of_the_answers_word():
    """"funding" is one letter from the answer's "founding" but a word of its own: no "Yes"
    to a claim the source does not make (needs Debian's word lists, which scripts/setup
    installs); a real typo is still read ("who cheirs the tsk force")."""
    a = ask_json("Does the task force get funding from the legislature?")
    assert not a["answer"].startswith(("Yes", "No")), a["answer"]
    assert "Richard Torrance" in ask_json("who cheirs the tsk force")["answer"]
