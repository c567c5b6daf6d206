"""The next meeting, computed from an .ics calendar by the meetings plugin (libical).

Every test copies knowledge/ to a temporary directory, drops a fixture from
tests/fixtures/calendars/ into meetings/, points one body's `meetings:` record at it
(`calendar: FILE.ics`) and asks `camas --knowledge DIR ask --json --now ...`, so the real
router, plugin worker and signed plugins answer, offline (no homeserver).

The expected dates were worked out by hand from the fixtures' rules (weekdays, DST dates:
US DST 2026 runs from Sunday March 8 to Sunday November 1)."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from harness import REPO_ROOT, run_cli

CALENDARS = REPO_ROOT / "tests" / "fixtures" / "calendars"
LA = "America/Los_Angeles"

EN_Q = "when is the next WashACT meeting?"
FR_Q = "quand a lieu la prochaine réunion de WashACT ?"


@pytest.fixture(autouse=True)
def _synapse_running(request):
    """Overrides conftest's fixture: only tests that use Synapse (make_bot) start it."""
    if "make_bot" in request.fixturenames:
        request.getfixturevalue("synapse").start()
    yield


# -- helpers ------------------------------------------------------------------------------
def _record_span(text: str, body: str) -> tuple[int, int]:
    """Start and end offsets of `  - body: BODY` record of the top-level meetings: list."""
    start = text.find(f"\n  - body: {body}\n")
    assert start >= 0, f"no meetings record for {body}"
    start += 1
    nxt = re.compile(r"^(  - |\S)", re.M)
    m = nxt.search(text, start + 4)
    return start, (m.start() if m else len(text))


def make_knowledge(tmp_path: Path, fixture: str | None, body: str = "washact",
                   timezone: str | None = None, calendar_name: str | None = None) -> Path:
    """A copy of knowledge/ with the fixture calendar attached to `body`'s meetings record."""
    k = tmp_path / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", k)
    path = k / "meetings" / "meetings.yaml"
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"^\s+calendar:", text, re.M), "the shipped knowledge has no calendar"
    start, end = _record_span(text, body)
    record = text[start:end]
    if fixture is not None:
        shutil.copy(CALENDARS / fixture, k / "meetings" / fixture)
    name = calendar_name or fixture
    if name is not None:
        head = f"  - body: {body}\n"
        record = head + f"    calendar: {name}\n" + record[len(head):]
    if timezone is not None:
        record, n = re.subn(r"^    timezone: .*$", f"    timezone: {timezone}", record,
                            flags=re.M)
        assert n == 1, record
    path.write_text(text[:start] + record + text[end:], encoding="utf-8")
    return k


def ask(knowledge: Path, question: str, now: str, *extra: str) -> dict:
    r = run_cli(["--knowledge", str(knowledge), "ask", "--json", "--now", now, *extra,
                 question], cwd=REPO_ROOT, timeout=30)
    assert r.returncode == 0, f"status {r.returncode}\n{r.stderr[-2000:]}"
    out = json.loads(r.stdout)
    return out


ZONE_NAMES = {LA: ("Pacific Time", "heure du Pacifique"),
              "America/New_York": ("Eastern Time", "heure de l'Est")}


def en_when(when: str, zone: str = LA) -> str:
    """'Tuesday, March 10, 2026 at 13:00' as camas says it: '... at 1:00 PM Pacific Time'."""
    day, _, hm = when.rpartition(" at ")
    h, m = (int(x) for x in hm.split(":"))
    return f"{day} at {h % 12 or 12}:{m:02d} {'AM' if h < 12 else 'PM'} {ZONE_NAMES[zone][0]}"


def en_next(when: str, summary: str, name: str = "WashACT", zone: str = LA) -> str:
    return f'Next meeting of {name}: {en_when(when, zone)} — "{summary}".'


def fr_next(when: str, summary: str, name: str = "WashACT", zone: str = LA) -> str:
    return f"Prochaine réunion ({name}) : {when} ({ZONE_NAMES[zone][1]}) — « {summary} »."


def assert_next(k: Path, now: str, en_when: str, fr_when: str, summary: str,
                zone: str = LA) -> None:
    """The English and French questions and !meetings washact all give that date."""
    en = ask(k, EN_Q, now)
    assert (en["plugin"], en["lang"], en["abstained"]) == ("meetings", "en", False), en
    assert en["answer"] == en_next(en_when, summary, zone=zone), en["answer"]
    fr = ask(k, FR_Q, now)
    assert (fr["plugin"], fr["lang"], fr["abstained"]) == ("meetings", "fr", False), fr
    assert fr["answer"] == fr_next(fr_when, summary, zone=zone), fr["answer"]
    # The command: cadence first, then the next date, in the asked language.
    cmd = ask(k, "!meetings washact", now)
    assert cmd["plugin"] == "meetings" and not cmd["abstained"], cmd
    paras = cmd["answer"].split("\n\n")
    assert paras[0].startswith("WashACT — cadence: members meet quarterly"), paras
    assert paras[-1] == en_next(en_when, summary, zone=zone), paras
    cmd_fr = ask(k, "!meetings washact", now, "--lang", "fr")
    assert cmd_fr["lang"] == "fr", cmd_fr
    paras = cmd_fr["answer"].split("\n\n")
    assert paras[0].startswith("WashACT — rythme : "), paras
    assert paras[-1] == fr_next(fr_when, summary, zone=zone), paras


# -- next date per fixture ----------------------------------------------------------------
# (fixture, now (UTC), English date, French date, SUMMARY)
CASES = [
    # second Tuesday 10:00 Los Angeles
    ("monthly.ics", "2026-03-01T12:00:00Z",  # just before DST starts (March 8)
     "Tuesday, March 10, 2026 at 10:00", "mardi 10 mars 2026 à 10 h 00", "Member meeting"),
    ("monthly.ics", "2026-02-10T17:59:00Z",  # 09:59 PST the same day
     "Tuesday, February 10, 2026 at 10:00", "mardi 10 février 2026 à 10 h 00",
     "Member meeting"),
    ("monthly.ics", "2026-02-10T18:00:00Z",  # 10:00 PST: that one has started
     "Tuesday, March 10, 2026 at 10:00", "mardi 10 mars 2026 à 10 h 00", "Member meeting"),
    ("monthly.ics", "2026-03-10T16:59:00Z",  # 09:59 PDT (UTC-7 now)
     "Tuesday, March 10, 2026 at 10:00", "mardi 10 mars 2026 à 10 h 00", "Member meeting"),
    ("monthly.ics", "2026-03-10T17:00:01Z",  # 10:00:01 PDT
     "Tuesday, April 14, 2026 at 10:00", "mardi 14 avril 2026 à 10 h 00", "Member meeting"),
    ("monthly.ics", "2026-10-14T12:00:00Z",  # across the end of DST (November 1)
     "Tuesday, November 10, 2026 at 10:00", "mardi 10 novembre 2026 à 10 h 00",
     "Member meeting"),
    ("monthly.ics", "2026-12-09T12:00:00Z",  # into the next year
     "Tuesday, January 12, 2027 at 10:00", "mardi 12 janvier 2027 à 10 h 00",
     "Member meeting"),
    # every third month, third Thursday 13:30
    ("quarterly.ics", "2026-03-01T12:00:00Z",
     "Thursday, April 16, 2026 at 13:30", "jeudi 16 avril 2026 à 13 h 30", "Quarterly meeting"),
    ("quarterly.ics", "2026-04-17T12:00:00Z",
     "Thursday, July 16, 2026 at 13:30", "jeudi 16 juillet 2026 à 13 h 30",
     "Quarterly meeting"),
    ("quarterly.ics", "2026-10-16T12:00:00Z",
     "Thursday, January 21, 2027 at 13:30", "jeudi 21 janvier 2027 à 13 h 30",
     "Quarterly meeting"),
    # third Tuesday of January, April, July, October 09:00
    ("quarterly-bymonth.ics", "2026-03-01T12:00:00Z",
     "Tuesday, April 21, 2026 at 09:00", "mardi 21 avril 2026 à 9 h 00", "Information session"),
    ("quarterly-bymonth.ics", "2026-10-21T12:00:00Z",
     "Tuesday, January 19, 2027 at 09:00", "mardi 19 janvier 2027 à 9 h 00",
     "Information session"),
    # first Monday 14:00 New York = 11:00 Los Angeles, summer and winter
    ("new-york.ics", "2026-03-02T18:59:00Z",  # 13:59 EST
     "Monday, March 2, 2026 at 11:00", "lundi 2 mars 2026 à 11 h 00", "East coast call"),
    ("new-york.ics", "2026-03-02T19:00:00Z",  # 14:00 EST: started
     "Monday, April 6, 2026 at 11:00", "lundi 6 avril 2026 à 11 h 00", "East coast call"),
    ("new-york.ics", "2026-10-06T12:00:00Z",
     "Monday, November 2, 2026 at 11:00", "lundi 2 novembre 2026 à 11 h 00", "East coast call"),
    # weekly Monday 18:00 UTC: 10:00 PST, 11:00 PDT
    ("utc.ics", "2026-03-01T12:00:00Z",
     "Monday, March 2, 2026 at 10:00", "lundi 2 mars 2026 à 10 h 00", "Weekly UTC call"),
    ("utc.ics", "2026-03-03T12:00:00Z",
     "Monday, March 9, 2026 at 11:00", "lundi 9 mars 2026 à 11 h 00", "Weekly UTC call"),
    ("utc.ics", "2026-10-20T12:00:00Z",
     "Monday, October 26, 2026 at 11:00", "lundi 26 octobre 2026 à 11 h 00", "Weekly UTC call"),
    ("utc.ics", "2026-10-27T12:00:00Z",
     "Monday, November 2, 2026 at 10:00", "lundi 2 novembre 2026 à 10 h 00", "Weekly UTC call"),
    # time zone defined only by the file's VTIMEZONE (Outlook export)
    ("outlook.ics", "2026-03-01T12:00:00Z",
     "Tuesday, March 10, 2026 at 10:00", "mardi 10 mars 2026 à 10 h 00", "Member meeting"),
    ("outlook.ics", "2026-10-14T12:00:00Z",
     "Tuesday, November 10, 2026 at 10:00", "mardi 10 novembre 2026 à 10 h 00",
     "Member meeting"),
    # EXDATE: March 10 (TZID form) and June 9 (UTC form) are skipped
    ("exdate.ics", "2026-03-01T12:00:00Z",
     "Tuesday, April 14, 2026 at 10:00", "mardi 14 avril 2026 à 10 h 00", "Member meeting"),
    ("exdate.ics", "2026-05-13T12:00:00Z",
     "Tuesday, July 14, 2026 at 10:00", "mardi 14 juillet 2026 à 10 h 00", "Member meeting"),
    # RECURRENCE-ID: March 10 moved to Thursday March 12 14:00
    ("moved.ics", "2026-03-01T12:00:00Z",
     "Thursday, March 12, 2026 at 14:00", "jeudi 12 mars 2026 à 14 h 00",
     "Member meeting (moved)"),
    ("moved.ics", "2026-03-11T12:00:00Z",
     "Thursday, March 12, 2026 at 14:00", "jeudi 12 mars 2026 à 14 h 00",
     "Member meeting (moved)"),
    ("moved.ics", "2026-03-12T22:00:00Z",  # 15:00 PDT, the moved one has started
     "Tuesday, April 14, 2026 at 10:00", "mardi 14 avril 2026 à 10 h 00", "Member meeting"),
    # cancelled one-off (March 3) and cancelled instance (March 10) are skipped
    ("cancelled.ics", "2026-03-01T12:00:00Z",
     "Tuesday, April 14, 2026 at 10:00", "mardi 14 avril 2026 à 10 h 00", "Member meeting"),
    # a series and, after it in the file, a one-off that comes first
    ("series-and-oneoff.ics", "2026-03-01T12:00:00Z",
     "Thursday, March 5, 2026 at 18:00", "jeudi 5 mars 2026 à 18 h 00", "Special session"),
    ("series-and-oneoff.ics", "2026-03-06T12:00:00Z",
     "Tuesday, March 10, 2026 at 10:00", "mardi 10 mars 2026 à 10 h 00", "Member meeting"),
    # ended series, before its end
    ("ended.ics", "2025-12-01T12:00:00Z",
     "Tuesday, December 9, 2025 at 10:00", "mardi 9 décembre 2025 à 10 h 00", "Member meeting"),
]


@pytest.mark.parametrize("fixture,now,en_when,fr_when,summary", CASES,
                         ids=[f"{c[0][:-4]}@{c[1][:16]}" for c in CASES])
def test_next_meeting(tmp_path, fixture, now, en_when, fr_when, summary):
    k = make_knowledge(tmp_path, fixture)
    assert_next(k, now, en_when, fr_when, summary)


def test_shown_in_the_bodys_time_zone(tmp_path):
    """A Los Angeles calendar on a body whose time zone is New York: shown in New York."""
    k = make_knowledge(tmp_path, "monthly.ics", timezone="America/New_York")
    assert_next(k, "2026-03-01T12:00:00Z", "Tuesday, March 10, 2026 at 13:00",
                "mardi 10 mars 2026 à 13 h 00", "Member meeting", zone="America/New_York")
    assert_next(k, "2026-02-01T12:00:00Z", "Tuesday, February 10, 2026 at 13:00",
                "mardi 10 février 2026 à 13 h 00", "Member meeting", zone="America/New_York")


@pytest.mark.parametrize("now", ["2026-03-01T12:00:00Z",
                                 "2025-12-09T18:00:00Z"])  # the last one has just started
def test_series_ended_says_no_upcoming_meeting(tmp_path, now):
    k = make_knowledge(tmp_path, "ended.ics")
    en = ask(k, EN_Q, now)
    assert en["plugin"] == "meetings" and en["lang"] == "en", en
    assert en["answer"] == "The calendar of WashACT has no upcoming meeting.", en
    fr = ask(k, FR_Q, now)
    assert fr["lang"] == "fr", fr
    assert fr["answer"] == "Le calendrier de WashACT ne contient aucune réunion à venir.", fr
    cmd = ask(k, "!meetings washact", now)
    assert cmd["answer"].split("\n\n")[-1] == \
        "The calendar of WashACT has no upcoming meeting.", cmd


def test_now_offsets_are_honoured(tmp_path):
    """--now with an offset is the same instant as its UTC form."""
    k = make_knowledge(tmp_path, "monthly.ics")
    a = ask(k, EN_Q, "2026-03-10T09:59:00-07:00")
    assert "March 10, 2026 at 10:00" in a["answer"], a
    b = ask(k, EN_Q, "2026-03-10T10:00:00-07:00")
    assert "April 14, 2026 at 10:00" in b["answer"], b


def test_calendar_of_one_body_does_not_answer_for_another(tmp_path):
    k = make_knowledge(tmp_path, "monthly.ics", body="csec")
    csec = ask(k, "when is the next CSEC meeting?", "2026-03-01T12:00:00Z")
    assert csec["answer"] == en_next("Tuesday, March 10, 2026 at 10:00", "Member meeting",
                                     name="the CSEC Committee"), csec
    for q in (EN_Q, FR_Q, "when is the next task force meeting?"):
        a = ask(k, q, "2026-03-01T12:00:00Z")
        assert "2026" not in a["answer"] and "Member meeting" not in a["answer"], (q, a)
    # !meetings washact: the cadence only, no date
    cmd = ask(k, "!meetings washact", "2026-03-01T12:00:00Z")
    assert "2026" not in cmd["answer"] and "Next meeting" not in cmd["answer"], cmd


def test_cadence_questions_still_answered_with_a_calendar(tmp_path):
    k = make_knowledge(tmp_path, "monthly.ics")
    a = ask(k, "How often does WashACT meet?", "2026-03-01T12:00:00Z")
    assert a["plugin"] == "meetings" and "quarterly" in a["answer"], a
    assert "warntrafficking@yahoo.com" in a["answer"], a
    fr = ask(k, "À quelle fréquence WashACT se réunit-il ?", "2026-03-01T12:00:00Z")
    assert fr["lang"] == "fr" and "trimestres" in fr["answer"], fr


# -- without a calendar: no date is ever invented -----------------------------------------
DATEISH = re.compile(
    r"\b(20\d\d-\d\d-\d\d|\d{1,2}:\d\d|\d{1,2} h \d\d|Monday|Tuesday|Wednesday|Thursday|"
    r"Friday|Saturday|Sunday|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"January|February|March|April|June|July|August|September|October|November|December|"
    r"janvier|février|avril|juillet|août|septembre|octobre|novembre|décembre)\b")


@pytest.mark.parametrize("question", [
    EN_Q, FR_Q, "when is the next task force meeting?", "when is the next meeting?",
    "date of the next CSEC meeting", "prochaine réunion du groupe de travail",
])
def test_without_calendar_next_date_is_declined(question):
    a = ask(REPO_ROOT / "knowledge", question, "2026-03-01T12:00:00Z")
    assert not DATEISH.search(a["answer"]), a
    assert "Next meeting of" not in a["answer"] and "Prochaine réunion (" not in a["answer"]
    # Declined, or the cadence with an explicit "no dates in the source", or a choice of
    # entries: never a date.
    assert a["abstained"] or a["clarify"] or re.search(
        r"no (specific )?(meeting )?dates|does not say (how often or )?when|aucune date|"
        r"pas de dates|ne (dit|précise) pas", a["answer"]), a


def test_without_calendar_meetings_command_gives_no_date():
    a = ask(REPO_ROOT / "knowledge", "!meetings washact", "2026-03-01T12:00:00Z")
    assert a["plugin"] == "meetings" and "quarterly" in a["answer"], a
    assert not DATEISH.search(a["answer"]), a


# -- camas check --------------------------------------------------------------------------
def check(knowledge: Path):
    return run_cli(["--knowledge", str(knowledge), "check"], cwd=REPO_ROOT, timeout=60)


def test_check_accepts_every_good_calendar(tmp_path):
    good = ["monthly.ics", "quarterly.ics", "quarterly-bymonth.ics", "new-york.ics", "utc.ics",
            "outlook.ics", "exdate.ics", "moved.ics", "cancelled.ics", "series-and-oneoff.ics",
            "ended.ics"]
    for i, f in enumerate(good):
        k = make_knowledge(tmp_path / str(i), f)
        r = check(k)
        assert r.returncode == 0, f"{f}: status {r.returncode}\n{r.stdout}\n{r.stderr[-1500:]}"
        assert "0 problems" in r.stdout, r.stdout


@pytest.mark.parametrize("fixture", ["malformed.ics", "no-events.ics", "truncated.ics",
                                     "bad-dtstart.ics", "bad-rrule.ics", "bad-month.ics"])
def test_check_reports_malformed_calendar(tmp_path, fixture):
    k = make_knowledge(tmp_path, fixture)
    r = check(k)
    out = r.stdout + r.stderr
    assert r.returncode == 1, f"status {r.returncode}\n{out[-2000:]}"
    assert f"meetings/{fixture}" in out, out[-2000:]
    assert "1 problem" in r.stdout, r.stdout


def test_check_reports_a_refused_recurrence_rule_and_the_rest_serves(tmp_path):
    """A rule no date satisfies is refused (libical would search until the year 20000): the
    event is left out, `camas check` names its file and line as a problem, and the calendar's
    other event still answers."""
    k = make_knowledge(tmp_path, "refused-rrule.ics")
    r = check(k)
    out = r.stdout + r.stderr
    assert r.returncode == 1, f"status {r.returncode}\n{out[-2000:]}"
    line = next(i for i, t in enumerate(
        (CALENDARS / "refused-rrule.ics").read_text().splitlines(), 1) if "6TU" in t)
    assert f"meetings/refused-rrule.ics:{line}: recurrence rule 'RRULE:FREQ=MONTHLY;BYDAY=6TU'" \
        f" refused" in out, out[-2000:]
    assert "its event 'Sixth Tuesday' is left out" in out, out[-2000:]
    assert "1 problem" in r.stdout, r.stdout
    a = ask(k, "when is the next washact meeting?", "2026-03-01T12:00:00Z")
    assert "March 10, 2026" in a["answer"], a


def test_check_reports_missing_calendar_file(tmp_path):
    k = make_knowledge(tmp_path, None, calendar_name="nowhere.ics")
    r = check(k)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out[-2000:]
    assert "nowhere.ics" in out and "meetings.yaml" in out, out[-2000:]


@pytest.mark.parametrize("fixture", [None, "monthly.ics"])
@pytest.mark.parametrize("zone", ["America/Nowhere", "../../../etc/passwd"])
def test_check_reports_unknown_time_zone(tmp_path, fixture, zone):
    """Without a calendar the system's zone database judges the zone (libical is not
    loaded then), with one libical does: both refuse what is not a zone."""
    k = make_knowledge(tmp_path, fixture, timezone=zone)
    r = check(k)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out[-2000:]
    assert f"unknown time zone '{zone}'" in out, out[-2000:]


def test_check_accepts_a_known_time_zone_without_calendar(tmp_path):
    k = make_knowledge(tmp_path, None, timezone="Europe/Paris")
    r = check(k)
    assert r.returncode == 0 and "0 problems" in r.stdout, r.stdout + r.stderr[-1500:]


# -- in chat: the bot's real clock --------------------------------------------------------
def second_tuesday_10am_after(now_utc):
    """The next second-Tuesday 10:00 Los Angeles strictly after now_utc (monthly.ics)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo
    la = ZoneInfo(LA)
    y, m = now_utc.astimezone(la).year, now_utc.astimezone(la).month
    for _ in range(3):
        first = datetime(y, m, 1, 10, 0, tzinfo=la)
        tue = first + timedelta(days=(1 - first.weekday()) % 7 + 7)
        if tue > now_utc:
            return tue
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    raise AssertionError("unreachable")


def test_next_meeting_in_chat_uses_the_clock(make_bot, alice, tmp_path):
    """In a help room, with knowledge_dir pointing at a copy with monthly.ics."""
    from datetime import datetime, timezone
    k = make_knowledge(tmp_path, "monthly.ics")
    room = alice.create_room(name="help")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}], knowledge_dir=str(k)).start()
    alice.wait_membership(room, bot.user_id, "join")
    before = datetime.now(timezone.utc)
    en = alice.send(room, EN_Q)
    fr = alice.send(room, FR_Q)
    replies = alice.assert_replies_exactly_once(room, bot.user_id, [en, fr])
    after = datetime.now(timezone.utc)
    en_days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    en_months = ["January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"]
    fr_months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                 "septembre", "octobre", "novembre", "décembre"]
    ok_en, ok_fr = set(), set()
    for t in {second_tuesday_10am_after(before), second_tuesday_10am_after(after)}:
        ok_en.add(en_next(f"{en_days[t.weekday()]}, {en_months[t.month - 1]} {t.day}, "
                          f"{t.year} at 10:00", "Member meeting"))
        ok_fr.add(fr_next(f"mardi {t.day} {fr_months[t.month - 1]} {t.year} à 10 h 00",
                          "Member meeting"))
    assert replies[en]["content"]["body"] in ok_en, replies[en]["content"]["body"]
    assert replies[fr]["content"]["body"] in ok_fr, replies[fr]["content"]["body"]


# -- the rest of issue 10's meetings: times people read, places, lists, "this year" ----------
def test_english_times_and_location(tmp_path):
    k = make_knowledge(tmp_path, "located.ics")
    en = ask(k, EN_Q, "2026-03-01T12:00:00Z")
    assert en["answer"] == ('Next meeting of WashACT: Wednesday, March 18, 2026 at 2:00 PM '
                            'Pacific Time — "Information session" — location: Seattle Central '
                            'Library, 1000 4th Ave, Seattle.'), en
    fr = ask(k, FR_Q, "2026-03-01T12:00:00Z")
    assert "mercredi 18 mars 2026 à 14 h 00 (heure du Pacifique)" in fr["answer"], fr
    assert "lieu : Seattle Central Library" in fr["answer"], fr


def test_next_three_and_this_year(tmp_path):
    k = make_knowledge(tmp_path, "quarterly.ics")
    three = ask(k, "the next three washact meetings", "2026-03-01T12:00:00Z")
    assert three["answer"].splitlines() == [
        "Upcoming meetings of WashACT:",
        '- Thursday, April 16, 2026 at 1:30 PM Pacific Time — "Quarterly meeting"',
        '- Thursday, July 16, 2026 at 1:30 PM Pacific Time — "Quarterly meeting"',
        '- Thursday, October 15, 2026 at 1:30 PM Pacific Time — "Quarterly meeting"'], three
    year = ask(k, "list the WashACT meetings this year", "2026-05-01T12:00:00Z")
    lines = year["answer"].splitlines()
    assert lines[0] == "Meetings of WashACT for the rest of the year:", year
    assert [l for l in lines if "2027" in l] == [] and len(lines) == 3, year
    fr = ask(k, "réunions de WashACT cette année", "2026-11-01T12:00:00Z")
    assert fr["answer"] == ("Le calendrier de WashACT ne contient plus de réunion cette "
                            "année."), fr


def test_never_no_dates_when_a_calendar_gives_them(tmp_path):
    k = make_knowledge(tmp_path, "quarterly.ics")
    a = ask(k, "How often does WashACT meet?", "2026-03-01T12:00:00Z")
    assert "no specific dates" not in a["answer"] and "no dates" not in a["answer"], a
    assert "Next meeting of WashACT: Thursday, April 16, 2026" in a["answer"], a
    fr = ask(k, "À quelle fréquence WashACT se réunit-il ?", "2026-03-01T12:00:00Z")
    assert "pas de dates" not in fr["answer"] and "jeudi 16 avril 2026" in fr["answer"], fr
