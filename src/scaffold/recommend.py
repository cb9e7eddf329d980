"""Recommend Django or Flask from a table of criteria (``criteria.toml``).

Pure: no I/O beyond reading the packaged table, no click, no copier. The rules
are data; this module only adds up points and explains the result.

Only answers that were given count. A question left out (not asked, or filled
by ``--defaults``) is *assumed* to be the neutral "not sure" value, which never
scores. Each criterion row is one claim of the article; several answers can
evidence it, but it counts once. The framework with more points wins; the
tie-breakers apply only when the scores are exactly equal. The result says how
sure it is (``confidence``) and which one or two changed answers would flip it
(``flips``, found by trying every alternative answer).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations
from typing import Any

from .errors import InvalidAnswer, UnknownQuestion
from .starters import FRAMEWORKS, other

Answer = str | bool

_TRUE = {"yes", "y", "true", "1", "on"}
_FALSE = {"no", "n", "false", "0", "off"}


@dataclass(frozen=True)
class Question:
    """One question. Every question is a choice: ``choices`` lists each accepted
    value with its label, the neutral one last, so a prompt layer can show them and
    pass the chosen value (or typed text) to ``parse``. ``default`` is the neutral
    value. A ``yes_no`` question offers yes, no and the neutral value; its definite
    answers are typed as booleans."""

    id: str
    prompt: str
    help: str
    choices: tuple[tuple[str, str], ...]  # (value, label), the neutral value last
    neutral: str = "unsure"
    yes_no: bool = False

    @property
    def kind(self) -> str:
        return "choice"

    @property
    def default(self) -> str:
        return self.neutral

    @property
    def allowed(self) -> list[str]:
        return [value for value, _ in self.choices]

    @property
    def values(self) -> list[Answer]:
        """Every typed answer except the neutral one, in the table's order."""
        return [self.parse(value) for value in self.allowed if value != self.neutral]

    def parse(self, raw: Any) -> Answer:
        """Turn ``raw`` (a typed value or text from a flag or file) into an answer."""
        if self.yes_no and isinstance(raw, bool):
            return raw
        if not isinstance(raw, str):
            raise InvalidAnswer(self.id, raw, self.allowed)
        text = raw.strip().lower()
        if text == self.neutral:
            return self.neutral
        if self.yes_no:
            if text in _TRUE | _FALSE:
                return text in _TRUE
        elif text in self.allowed:
            return text
        raise InvalidAnswer(self.id, raw, self.allowed)

    def text(self, answer: Answer) -> str:
        """An answer as a person types it (``-a admin=no``)."""
        if isinstance(answer, bool):
            return "yes" if answer else "no"
        return answer


Condition = tuple[tuple[str, Answer], ...]  # any one (question, answer) pair matches


@dataclass(frozen=True)
class Criterion:
    """One claim of the article, the answers that evidence it, and its weight."""

    claim: str
    framework: str
    points: int
    when: Condition
    reason: str
    source: str


@dataclass(frozen=True)
class TieBreaker:
    framework: str
    reason: str
    source: str
    when: Condition = ()


@dataclass(frozen=True)
class ConfidenceLevel:
    label: str
    min_margin: int
    min_share: float


@dataclass(frozen=True)
class Suggestion:
    """Template answers (``scaffold new -d``) that follow from a given answer."""

    when: Condition
    answers: dict[str, Any]
    reason: str


@dataclass(frozen=True)
class Criteria:
    questions: dict[str, Question]
    rows: tuple[Criterion, ...]
    tie_breakers: tuple[TieBreaker, ...]
    confidence: tuple[ConfidenceLevel, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()


@dataclass(frozen=True)
class Reason:
    """One claim that scored, the answers that evidence it, in plain words."""

    question: str  # the first answer (in the table's order) that evidences the claim
    answer: Answer
    framework: str
    points: int
    text: str
    source: str = ""
    claim: str = ""
    answers: dict[str, str] = field(default_factory=dict)  # every evidencing answer, as text


@dataclass(frozen=True)
class Flip:
    """Changed answers (as text) under which the other framework is recommended."""

    answers: dict[str, str]
    framework: str

    def to_dict(self) -> dict[str, Any]:
        return {"answers": dict(self.answers), "framework": self.framework}


@dataclass(frozen=True)
class Recommendation:
    framework: str
    scores: dict[str, int]
    reasons: list[Reason]  # toward the recommended framework, strongest first
    counter_reasons: list[Reason]  # toward the other one
    confidence: str  # strong | clear | slight | tie | none (no points at all)
    tie_breaker: str | None  # what decided an exact tie, else None
    answers: dict[str, Answer] = field(default_factory=dict)  # every question, assumed too
    given: list[str] = field(default_factory=list)
    assumed: list[str] = field(default_factory=list)
    flips: list[Flip] = field(default_factory=list)  # smallest first
    template_answers: dict[str, Any] = field(default_factory=dict)  # suggested `-d` answers
    tie_breaker_source: str | None = None

    @property
    def margin(self) -> int:
        return abs(self.scores["django"] - self.scores["flask"])

    @property
    def near_tie(self) -> bool:
        """True at an exact tie (the name is kept for the JSON's readers)."""
        return self.margin == 0

    def why(self) -> list[str]:
        """The sentences a generated project's README lists under "Why <framework>"."""
        lines = [r.text for r in self.reasons]
        if self.tie_breaker:
            lines.append(self.tie_breaker)
        return lines

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape printed by ``scaffold recommend --json``."""

        def reason(r: Reason) -> dict[str, Any]:
            return {
                "question": r.question,
                "answer": r.answer,
                "framework": r.framework,
                "points": r.points,
                "text": r.text,
                "source": r.source,
                "claim": r.claim,
                "answers": dict(r.answers),
            }

        return {
            "framework": self.framework,
            "confidence": self.confidence,
            "scores": dict(self.scores),
            "margin": self.margin,
            "near_tie": self.near_tie,
            "tie_breaker": self.tie_breaker,
            "tie_breaker_source": self.tie_breaker_source,
            "reasons": [reason(r) for r in self.reasons],
            "counter_reasons": [reason(r) for r in self.counter_reasons],
            "given": list(self.given),
            "assumed": list(self.assumed),
            "flips": [f.to_dict() for f in self.flips],
            "template_answers": dict(self.template_answers),
            "answers": dict(self.answers),
        }


# ---------------------------------------------------------------------- the table


@cache
def load_criteria() -> Criteria:
    """Read the criteria table shipped in the package."""
    import tomllib  # here, not at import: `scaffold --help` never needs the table
    from importlib import resources

    text = resources.files(__package__).joinpath("criteria.toml").read_text("utf-8")
    return parse_criteria(tomllib.loads(text))


def parse_criteria(data: Mapping[str, Any]) -> Criteria:
    """Build (and check) the table from its TOML data."""
    neutral = data["neutral"]
    questions = {}
    for qid, q in data["questions"].items():
        if q["kind"] == "bool":
            listed = [("yes", "yes"), ("no", "no")]
        elif q["kind"] == "choice":
            listed = [(str(k), str(v)) for k, v in q["choices"].items()]
        else:
            raise ValueError(f"criteria: question {qid!r} has unknown kind {q['kind']!r}")
        questions[qid] = Question(
            id=qid,
            prompt=q["prompt"],
            help=q.get("help", ""),
            choices=(*listed, (neutral["value"], neutral["label"])),
            neutral=neutral["value"],
            yes_no=q["kind"] == "bool",
        )

    def condition(pairs: Iterable[str], where: str) -> Condition:
        result = []
        for pair in pairs:
            qid, sep, value = pair.partition("=")
            question = questions.get(qid)
            if not sep or question is None:
                raise ValueError(f"criteria: {where}: {pair!r} is not QUESTION=VALUE")
            answer = question.parse(value)  # raises for a value the question cannot take
            if answer == question.neutral:
                raise ValueError(f"criteria: {where}: the neutral answer never counts")
            result.append((qid, answer))
        return tuple(result)

    rows = tuple(
        Criterion(
            claim=row["claim"],
            framework=row["framework"],
            points=int(row["points"]),
            when=condition(row["when"], row["claim"]),
            reason=row["reason"],
            source=row["source"],
        )
        for row in data["criteria"]
    )
    breakers = tuple(
        TieBreaker(
            framework=row["framework"],
            reason=row["reason"],
            source=row["source"],
            when=condition(row.get("when", ()), "tie breaker"),
        )
        for row in data["tie_breakers"]
    )
    levels = tuple(
        ConfidenceLevel(row["label"], int(row["min_margin"]), float(row["min_share"]))
        for row in data.get("confidence", ())
    )
    suggestions = tuple(
        Suggestion(condition(row["when"], "suggestion"), dict(row["answers"]), row["reason"])
        for row in data.get("suggestions", ())
    )
    criteria = Criteria(questions, rows, breakers, levels, suggestions)
    _check_table(criteria)
    return criteria


def _check_table(criteria: Criteria) -> None:
    """The table is data a person edits: catch typos when it is loaded."""
    claims = [row.claim for row in criteria.rows]
    for row in (*criteria.rows, *criteria.tie_breakers):
        if row.framework not in FRAMEWORKS:
            raise ValueError(f"criteria: unknown framework {row.framework!r}")
    for row in criteria.rows:
        if row.points <= 0 or not row.when:
            raise ValueError(f"criteria: claim {row.claim!r} needs answers and points > 0")
        if claims.count(row.claim) > 1:
            raise ValueError(f"criteria: claim {row.claim!r} is listed twice")
    if not criteria.tie_breakers or criteria.tie_breakers[-1].when:
        raise ValueError("criteria: the last tie breaker must always apply (no `when`)")


# ---------------------------------------------------------------------- answers


def parse_answers(raw: Mapping[str, Any], criteria: Criteria | None = None) -> dict[str, Answer]:
    """Check and type answers given as values or text. Unknown keys are errors."""
    criteria = criteria or load_criteria()
    answers: dict[str, Answer] = {}
    for key, value in raw.items():
        question = criteria.questions.get(key)
        if question is None:
            raise UnknownQuestion(key, criteria.questions)
        answers[key] = question.parse(value)
    return answers


def missing_answers(answers: Mapping[str, Any], criteria: Criteria | None = None) -> list[str]:
    criteria = criteria or load_criteria()
    return [qid for qid in criteria.questions if qid not in answers]


def with_defaults(answers: Mapping[str, Answer], criteria: Criteria | None = None) -> dict:
    """Every question answered: the given answers, the neutral value for the rest."""
    criteria = criteria or load_criteria()
    return {qid: answers.get(qid, q.default) for qid, q in criteria.questions.items()}


# ---------------------------------------------------------------------- scoring


def _matches(when: Condition, answers: Mapping[str, Answer]) -> list[tuple[str, Answer]]:
    return [(qid, value) for qid, value in when if answers.get(qid) == value]


def _scores(criteria: Criteria, answers: Mapping[str, Answer]) -> dict[str, int]:
    scores = dict.fromkeys(FRAMEWORKS, 0)
    for row in criteria.rows:
        if any(answers.get(qid) == value for qid, value in row.when):
            scores[row.framework] += row.points
    return scores


def _breaker(criteria: Criteria, answers: Mapping[str, Answer]) -> TieBreaker:
    return next(
        b
        for b in criteria.tie_breakers
        if not b.when or any(answers.get(qid) == value for qid, value in b.when)
    )


def _decide(criteria: Criteria, answers: Mapping[str, Answer]) -> tuple[dict, TieBreaker | None]:
    """Scores for complete answers, and the tie-breaker used (only at an exact tie)."""
    scores = _scores(criteria, answers)
    if scores["django"] != scores["flask"]:
        return scores, None
    return scores, _breaker(criteria, answers)


def choose(answers: Mapping[str, Any], criteria: Criteria | None = None) -> str:
    """Only the recommended framework for the answers given (no explanation)."""
    criteria = criteria or load_criteria()
    complete = with_defaults(parse_answers(answers, criteria), criteria)
    return _winner(*_decide(criteria, complete))


def _winner(scores: Mapping[str, int], breaker: TieBreaker | None) -> str:
    if breaker is not None:
        return breaker.framework
    return max(FRAMEWORKS, key=scores.__getitem__)


def _confidence(criteria: Criteria, scores: Mapping[str, int]) -> str:
    stake = sum(scores.values())
    margin = abs(scores["django"] - scores["flask"])
    if stake == 0:
        return "none"
    if margin == 0:
        return "tie"
    for level in criteria.confidence:
        if margin >= level.min_margin and margin / stake >= level.min_share:
            return level.label
    return "slight"


def find_flips(
    answers: Mapping[str, Answer], framework: str, criteria: Criteria | None = None
) -> list[Flip]:
    """Every change of one answer that recommends the other framework; if there is
    none, every change of two answers that does. Exhaustive: the table is small.
    Only definite answers are tried (never the neutral one)."""
    criteria = criteria or load_criteria()
    questions = criteria.questions
    options = [
        (qid, value)
        for qid, q in questions.items()
        for value in q.values
        if value != answers.get(qid)
    ]

    # Only the rows that mention a changed question can change their part of the score.
    base = _scores(criteria, answers)
    matched = {
        id(row): any(answers.get(qid) == value for qid, value in row.when) for row in criteria.rows
    }
    rows_of = {
        qid: [r for r in criteria.rows if any(q == qid for q, _ in r.when)] for qid in questions
    }

    def flips(changes: tuple[tuple[str, Answer], ...]) -> bool:
        changed = {**answers, **dict(changes)}
        scores = dict(base)
        for row in {id(r): r for qid, _ in changes for r in rows_of[qid]}.values():
            now = any(changed.get(qid) == value for qid, value in row.when)
            scores[row.framework] += row.points * (now - matched[id(row)])
        breaker = _breaker(criteria, changed) if scores["django"] == scores["flask"] else None
        return _winner(scores, breaker) != framework

    def flip(changes: tuple[tuple[str, Answer], ...]) -> Flip:
        return Flip({qid: questions[qid].text(v) for qid, v in changes}, other(framework))

    singles = [flip((option,)) for option in options if flips((option,))]
    if singles:
        return singles
    return [
        flip(pair) for pair in combinations(options, 2) if pair[0][0] != pair[1][0] and flips(pair)
    ]


def recommend(answers: Mapping[str, Any], criteria: Criteria | None = None) -> Recommendation:
    """Score both frameworks from the answers given and explain the result.

    Questions missing from ``answers``, or answered with the neutral value, are
    assumed (listed in ``assumed``) and score nothing; ``given`` lists the others.
    """
    criteria = criteria or load_criteria()
    complete = with_defaults(parse_answers(answers, criteria), criteria)
    questions = criteria.questions

    scores, breaker = _decide(criteria, complete)
    framework = _winner(scores, breaker)

    matched = []
    for row in criteria.rows:
        hits = _matches(row.when, complete)
        if hits:
            qid, value = hits[0]
            texts = {q: questions[q].text(v) for q, v in hits}
            matched.append(
                Reason(qid, value, row.framework, row.points, row.reason, row.source, row.claim,
                       texts)
            )  # fmt: skip

    def strongest_first(fw: str) -> list[Reason]:
        return sorted((r for r in matched if r.framework == fw), key=lambda r: -r.points)

    template_answers: dict[str, Any] = {}
    for suggestion in criteria.suggestions:
        if _matches(suggestion.when, complete):
            template_answers.update(suggestion.answers)

    return Recommendation(
        framework=framework,
        scores=scores,
        reasons=strongest_first(framework),
        counter_reasons=strongest_first(other(framework)),
        confidence=_confidence(criteria, scores),
        tie_breaker=breaker.reason if breaker else None,
        tie_breaker_source=breaker.source if breaker else None,
        answers=complete,
        given=[qid for qid, q in questions.items() if complete[qid] != q.neutral],
        assumed=[qid for qid, q in questions.items() if complete[qid] == q.neutral],
        flips=find_flips(complete, framework, criteria),
        template_answers=template_answers,
    )
