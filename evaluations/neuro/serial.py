"""Serial neuro surveillance (issue 17 point 5): what is worse in the neuro exam being saved
than in the episode's previous signed one. A myotome grade that falls, a reflex newly
reduced or absent, a dermatome newly impaired, a new upper motor neuron (UMN) sign or newly
impaired saddle sensation is a `Change`; one that meets the rules raises the staff alert by
itself, with no "weakness getting worse" tick (clinical.md 2.1a: progressive neurology is
urgent; 2.2: a new or worsening cauda equina item is an emergency).

The thresholds are data (`serial_rules`, evaluations/rules/serial_neuro.json), marked as a
product default a clinician must approve; every result names the rules' version and status
and `ALGORITHM_VERSION`, this code's.

Both exams are records in the current stored format (`records.read("neuro", ...)`, keys
named by `records.NEURO`). Each value is compared with its own previous value only: a value
blank, missing or unreadable in either exam is never a change (the single-exam alerts in
`alerts` still see the current one). Pure: no ORM, no request, no Django.
"""

import dataclasses
import enum
import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any, NamedTuple

from evaluations.neuro.keys import NEURO
from evaluations.neuro.rules import REFLEX_ROOT_WEIGHTS
from evaluations.neuro.serial_rules import (
    GRADES,
    PLANTAR,
    SENSORY,
    SerialRules,
    Transitions,
    default_rules,
)
from evaluations.neuro.vocabulary import (
    MOVEMENTS,
    REFLEX_LABELS,
    Modality,
    Reflex,
    ReflexGrade,
    Root,
    Side,
    _side_text,
    _sorted_roots,
)
from evaluations.vocabulary import REFLEX_GRADE_LABELS, label
from intake.scoring.common import AsDictMixin

ALGORITHM_VERSION = "neuro-serial-1.0"
SIDES = (("L", Side.LEFT), ("R", Side.RIGHT))
SADDLE_ROOTS = ("S3", "S4", "S5")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NAMES = frozenset({"Achilles", "Babinski", "Hoffmann"})  # keep their capital mid-sentence


class ChangeKind(enum.StrEnum):
    MYOTOME_WEAKER = "MYOTOME_WEAKER"
    REFLEX_REDUCED = "REFLEX_REDUCED"
    DERMATOME_IMPAIRED = "DERMATOME_IMPAIRED"  # the saddle too: code "SADDLE", emergency
    UMN_NEW = "UMN_NEW"


@dataclasses.dataclass(frozen=True)
class Change(AsDictMixin):
    """One finding worse than at the previous exam. `before`/`after` are short codes: the
    MRC grade ("5"), reflex grade ("2+"), sensory or plantar code ("NORMAL", "FLEXOR"),
    "NEGATIVE"/"POSITIVE" (Hoffmann), "NOT_NOTED"/"NOTED" (spasticity, gait ataxia), and
    for clonus "SUSTAINED", the beats ("2") or "NOT_SUSTAINED". `text` is in plain words."""

    kind: ChangeKind
    code: str  # movement, reflex, "<root> <modality>", "SADDLE", "BABINSKI", "CLONUS", ...
    side: Side | None  # None for the saddle, spasticity and gait ataxia
    before: str
    after: str
    roots: tuple[str, ...]
    text: str
    alert: bool  # meets the rules: raises the staff alert
    emergency: bool = False  # saddle sensation: possible cauda equina syndrome
    pain_limited: bool = False  # a myotome grade limited by pain in either exam


@dataclasses.dataclass(frozen=True)
class SerialResult:
    changes: tuple[Change, ...]  # emergencies first, then alerting ones, then exam order
    alert: bool  # any change meets the rules
    emergency: bool  # any alerting change is an emergency
    summary: str
    previous_on: date
    algorithm_version: str
    rules_version: str
    rules_status: str
    rules_approved_by: str | None

    @property
    def alerting(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.alert)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: enums as their codes, tuples as lists, `previous_on` as ISO."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["changes"] = [c.as_dict() for c in self.changes]
        data["previous_on"] = self.previous_on.isoformat()
        return data


# --- Reading the stored record (tolerant: unreadable is not recorded) --------------------------

_MRC = re.compile(r"\s*([0-5])(?![0-9])")  # "4", "4+", "5 (pain)": the stored number
Reader = Callable[[object], str | None]


def _grade(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= 5 else None
    match = _MRC.match(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def _coded(allowed: frozenset[str]) -> Reader:
    def read(value: object) -> str | None:
        code = value.strip().upper() if isinstance(value, str) else None
        return code if code in allowed else None

    return read


def _reflex(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):  # 0-4, as ReflexTest reads it
        return list(ReflexGrade)[value].value if 0 <= value <= 4 else None
    return _coded(GRADES)(value)


def _yes_no(yes: str, no: str) -> Reader:
    return lambda value: (yes if value else no) if isinstance(value, bool) else None


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _beats(value: object) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def format_date(on: date) -> str:
    """'12 Nov 2026', as evaluations.progress.format_date words it (not imported: `progress`
    imports the questionnaires, which import Django)."""
    return f"{on.day} {_MONTHS[on.month - 1]} {on.year}"


def _in_sentence(words: str) -> str:
    return words if words.split(" ")[0] in _NAMES else words[:1].lower() + words[1:]


def _word(code: str) -> str:
    """A code in a sentence: "NORMAL" -> "normal", "FLEXOR" -> "flexor (down-going)"."""
    return label(code).lower()


def _mrc(grade: int, pain: bool) -> str:
    return f"{grade}/5 (pain)" if pain else f"{grade}/5"


def _clonus(sustained: bool | None, beats: int | None) -> tuple[str, str]:
    """One side's clonus: its code and its words."""
    count = "" if beats is None else f"{beats} beat" + ("" if beats == 1 else "s")
    if sustained:
        return "SUSTAINED", f"sustained ({count})" if beats else "sustained"
    return (str(beats), count) if beats is not None else ("NOT_SUSTAINED", "not sustained")


def _newly(signs: frozenset[str], codes: frozenset[str]) -> Transitions:
    """A sign is new when the previous code was not one."""
    return {code: signs for code in codes - signs}


# --- The comparison ---------------------------------------------------------------------------


class _Rule(NamedTuple):
    """How one kind of coded value is read, worded and judged."""

    kind: ChangeKind
    read: Reader
    word: Callable[[str], str]
    worse: Transitions
    alert: bool
    emergency: bool = False


_Cell = tuple[_Rule, str, Side | None, str, str, tuple[str, ...]]


def _cells(r: SerialRules) -> Iterator[_Cell]:
    """Every coded value with its rule: (rule, code, side, record key, what, roots)."""
    umn, grade = ChangeKind.UMN_NEW, REFLEX_GRADE_LABELS.__getitem__
    reduced = _Rule(ChangeKind.REFLEX_REDUCED, _reflex, grade, r.reflex_worse, r.reflex_alert)
    brisk = _Rule(umn, _reflex, grade, _newly(r.hyperreflexia, GRADES), r.umn_alert)
    for reflex, (s, side) in itertools.product(Reflex, SIDES):
        roots = tuple(root.value for root in _sorted_roots(REFLEX_ROOT_WEIGHTS[reflex]))
        what = f"{'/'.join(roots)} {_in_sentence(REFLEX_LABELS[reflex])}"
        for rule in (reduced, brisk):
            yield rule, reflex.value, side, NEURO.reflex(reflex, s), what, roots
    kind = ChangeKind.DERMATOME_IMPAIRED
    sensory = _Rule(kind, _coded(SENSORY), _word, r.dermatome_worse, r.dermatome_alert)
    for root, modality, (s, side) in itertools.product(Root, Modality, SIDES):
        key, what = NEURO.dermatome(root, modality, s), f"{root.value} {_word(modality)}"
        yield sensory, f"{root.value} {modality.value}", side, key, what, (root.value,)
    plantar = _Rule(umn, _coded(PLANTAR), _word, _newly(r.babinski, PLANTAR), r.umn_alert)
    positive = frozenset({"POSITIVE"} if r.hoffmann else ())
    hoffmann = _newly(positive, frozenset({"NEGATIVE", "POSITIVE"}))
    signed = _Rule(umn, _yes_no("POSITIVE", "NEGATIVE"), _word, hoffmann, r.umn_alert)
    for s, side in SIDES:
        yield plantar, "BABINSKI", side, NEURO.babinski(s), "Babinski (plantar response)", ()
        yield signed, "HOFFMANN", side, NEURO.hoffmann(s), "Hoffmann sign", ()
    for key, on, what in (
        (NEURO.spasticity, r.spasticity, "Spasticity"),
        (NEURO.gait_ataxia, r.gait_ataxia, "Gait ataxia"),
    ):
        noted = {"NOT_NOTED": frozenset({"NOTED"} if on else ())}
        rule = _Rule(umn, _yes_no("NOTED", "NOT_NOTED"), _word, noted, r.umn_alert)
        yield rule, key.upper(), None, key, what, ()
    # Locked: always an alert, and an emergency (clinical.md 2.2 CES-2, CES-7; 2.1a).
    saddle = _Rule(kind, _coded(SENSORY), _word, r.saddle_worse, True, emergency=True)
    yield saddle, "SADDLE", None, NEURO.saddle, "Saddle sensation (S3-S5)", SADDLE_ROOTS


def compare_exams(
    previous: Mapping[str, Any] | None,
    current: Mapping[str, Any] | None,
    *,
    previous_on: date,
    rules: SerialRules | None = None,
) -> SerialResult:
    """What in `current` is worse than in `previous` (the episode's previous signed neuro
    exam, done on `previous_on`), under `rules` (default: the rules file)."""
    r = rules or default_rules()
    p, c, since = previous or {}, current or {}, format_date(previous_on)
    out: list[Change] = []

    def add(
        cell: _Cell, codes: tuple[str, str], words: tuple[str, str], alert: bool, pain: bool = False
    ) -> None:
        rule, code, side, _key, what, roots = cell
        where = f" {_side_text(side)}" if side else ""
        text = f"{what}{where} {words[0]} → {words[1]} since {since}"
        out.append(Change(rule.kind, code, side, *codes, roots, text, alert, rule.emergency, pain))

    # Myotomes and clonus are judged by numbers, not by a table of codes.
    myotome = _Rule(ChangeKind.MYOTOME_WEAKER, _coded(frozenset()), str, {}, r.myotome_alert)
    for (movement, info), (s, side) in itertools.product(MOVEMENTS.items(), SIDES):
        key, pain_key = NEURO.myotome(movement, s), NEURO.myotome_pain(movement, s)
        before, after = _grade(p.get(key)), _grade(c.get(key))
        if before is None or after is None or after >= before:
            continue
        pain_b, pain_a = bool(p.get(pain_key)), bool(c.get(pain_key))
        fall, pain = before - after, pain_b or pain_a
        # Pain-limited weakness is not conduction loss (6.6 pain_inhibited): its own bar.
        meets = (
            fall >= r.pain_limited_min_fall
            if pain
            else (fall >= r.min_fall or after <= r.alert_at_or_below)
        )
        roots = tuple(root.value for root in info.roots)
        what = f"{'/'.join(roots)} {_in_sentence(info.label)}"
        words = (_mrc(before, pain_b), _mrc(after, pain_a))
        myotome_cell: _Cell = (myotome, movement.value, side, key, what, roots)
        add(myotome_cell, (str(before), str(after)), words, myotome.alert and meets, pain)
    for cell in _cells(r):
        rule, key = cell[0], cell[3]
        before_code, after_code = rule.read(p.get(key)), rule.read(c.get(key))
        if (
            before_code is None
            or after_code is None
            or after_code not in rule.worse.get(before_code, ())
        ):
            continue
        words = (rule.word(before_code), rule.word(after_code))
        add(cell, (before_code, after_code), words, rule.alert)
    clonus = _Rule(ChangeKind.UMN_NEW, _coded(frozenset()), str, {}, r.umn_alert)
    for s, side in SIDES:  # newly sustained (the tick), or more beats than the rules allow
        sustained = NEURO.clonus_sustained(s)
        sus_b, sus_a = _flag(p.get(sustained)), _flag(c.get(sustained))
        beats_b, beats_a = _beats(p.get(NEURO.clonus(s))), _beats(c.get(NEURO.clonus(s)))
        above, by_tick = r.clonus_beats_above, r.sustained_clonus
        if (by_tick and sus_b is False and sus_a is True) or (
            beats_b is not None
            and beats_a is not None
            and beats_b <= above < beats_a
            and not (by_tick and sus_b)
        ):
            (code_b, word_b), (code_a, word_a) = _clonus(sus_b, beats_b), _clonus(sus_a, beats_a)
            clonus_cell: _Cell = (clonus, "CLONUS", side, "", "Ankle clonus", ())
            add(clonus_cell, (code_b, code_a), (word_b, word_a), clonus.alert)

    changes = tuple(sorted(out, key=lambda ch: (not ch.emergency, not ch.alert)))
    return SerialResult(
        changes=changes,
        alert=any(ch.alert for ch in changes),
        emergency=any(ch.emergency and ch.alert for ch in changes),
        summary=_summary(changes, since),
        previous_on=previous_on,
        algorithm_version=ALGORITHM_VERSION,
        rules_version=r.version,
        rules_status=r.status,
        rules_approved_by=r.approved_by,
    )


def _summary(changes: tuple[Change, ...], since: str) -> str:
    if not changes:
        return f"Nothing worse than at the neuro exam of {since}."
    n, k = len(changes), sum(ch.alert for ch in changes)
    text = f"{n} finding{'' if n == 1 else 's'} worse than at the neuro exam of {since}"
    if k < n:
        text += f", {'none' if k == 0 else k} meeting the alert rules"
    if any(ch.emergency for ch in changes):
        text += "; saddle sensation worse: possible cauda equina syndrome, an emergency"
    return text + "."
