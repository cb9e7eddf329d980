"""Recommend Django or Flask from a table of criteria (``criteria.toml``).

Pure: no I/O beyond reading the packaged table, no click, no copier. The rules
are data; this module only adds up points and explains the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .errors import InvalidAnswer, MissingAnswers, UnknownQuestion
from .starters import FRAMEWORKS

Answer = str | bool

_TRUE = {"yes", "y", "true", "1", "on"}
_FALSE = {"no", "n", "false", "0", "off"}


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    help: str
    kind: str  # "choice" | "bool"
    default: Answer
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)

    @property
    def allowed(self) -> list[str]:
        if self.kind == "bool":
            return ["yes", "no"]
        return [value for value, _ in self.choices]

    def parse(self, raw: Any) -> Answer:
        """Turn ``raw`` (a typed value or text from a flag or file) into an answer."""
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
                return raw.strip().lower() in _TRUE
            raise InvalidAnswer(self.id, raw, self.allowed)
        if isinstance(raw, str) and raw.strip() in self.allowed:
            return raw.strip()
        raise InvalidAnswer(self.id, raw, self.allowed)


@dataclass(frozen=True)
class Criterion:
    question: str
    value: Answer
    framework: str
    points: int
    reason: str


@dataclass(frozen=True)
class TieBreaker:
    framework: str
    reason: str
    question: str | None = None
    value: Answer | None = None


@dataclass(frozen=True)
class Criteria:
    questions: dict[str, Question]
    rows: tuple[Criterion, ...]
    tie_breakers: tuple[TieBreaker, ...]
    tie_margin: int


@dataclass(frozen=True)
class Reason:
    """One answer that moved the score, and what it means, in plain words."""

    question: str
    answer: Answer
    framework: str
    points: int
    text: str


@dataclass(frozen=True)
class Recommendation:
    framework: str
    scores: dict[str, int]
    reasons: list[Reason]  # toward the recommended framework, strongest first
    counter_reasons: list[Reason]  # toward the other one
    near_tie: bool
    tie_breaker: str | None
    answers: dict[str, Answer] = field(default_factory=dict)

    @property
    def margin(self) -> int:
        return abs(self.scores["django"] - self.scores["flask"])

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape printed by ``scaffold recommend --json``."""

        def reason(r: Reason) -> dict[str, Any]:
            return {
                "question": r.question,
                "answer": r.answer,
                "framework": r.framework,
                "points": r.points,
                "text": r.text,
            }

        return {
            "framework": self.framework,
            "scores": dict(self.scores),
            "margin": self.margin,
            "near_tie": self.near_tie,
            "tie_breaker": self.tie_breaker,
            "reasons": [reason(r) for r in self.reasons],
            "counter_reasons": [reason(r) for r in self.counter_reasons],
            "answers": dict(self.answers),
        }


@cache
def load_criteria() -> Criteria:
    """Read the criteria table shipped in the package."""
    import tomllib  # here, not at import: `scaffold --help` never needs the table
    from importlib import resources

    text = resources.files(__package__).joinpath("criteria.toml").read_text("utf-8")
    return parse_criteria(tomllib.loads(text))


def parse_criteria(data: Mapping[str, Any]) -> Criteria:
    questions = {}
    for qid, q in data["questions"].items():
        choices = tuple((str(k), str(v)) for k, v in q.get("choices", {}).items())
        questions[qid] = Question(
            id=qid,
            prompt=q["prompt"],
            help=q.get("help", ""),
            kind=q["kind"],
            default=q["default"],
            choices=choices,
        )
    rows = tuple(Criterion(**row) for row in data["criteria"])
    breakers = tuple(TieBreaker(**row) for row in data["tie_breakers"])
    criteria = Criteria(questions, rows, breakers, int(data["tie_margin"]))
    _check_table(criteria)
    return criteria


def _check_table(criteria: Criteria) -> None:
    """The table is data a person edits: catch typos when it is loaded."""
    for row in (*criteria.rows, *criteria.tie_breakers):
        if row.framework not in FRAMEWORKS:
            raise ValueError(f"criteria: unknown framework {row.framework!r}")
        if row.question is None:
            continue
        question = criteria.questions.get(row.question)
        if question is None:
            raise ValueError(f"criteria: unknown question {row.question!r}")
        question.parse(row.value)  # raises for a value the question cannot take
    if criteria.tie_breakers[-1].question is not None:
        raise ValueError("criteria: the last tie breaker must always apply (no question)")


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
    criteria = criteria or load_criteria()
    return {qid: answers.get(qid, q.default) for qid, q in criteria.questions.items()}


def recommend(answers: Mapping[str, Any], criteria: Criteria | None = None) -> Recommendation:
    """Score both frameworks for a complete set of answers and explain the result."""
    criteria = criteria or load_criteria()
    typed = parse_answers(answers, criteria)
    missing = missing_answers(typed, criteria)
    if missing:
        raise MissingAnswers(missing)

    matched = [
        Reason(row.question, typed[row.question], row.framework, row.points, row.reason)
        for row in criteria.rows
        if typed[row.question] == row.value
    ]
    scores = {fw: sum(r.points for r in matched if r.framework == fw) for fw in FRAMEWORKS}
    near_tie = abs(scores["django"] - scores["flask"]) <= criteria.tie_margin
    tie_breaker = None
    if near_tie:
        breaker = next(
            b
            for b in criteria.tie_breakers
            if b.question is None or typed.get(b.question) == b.value
        )
        framework, tie_breaker = breaker.framework, breaker.reason
    else:
        framework = max(FRAMEWORKS, key=scores.__getitem__)

    def strongest_first(fw: str) -> list[Reason]:
        return sorted((r for r in matched if r.framework == fw), key=lambda r: -r.points)

    other = "flask" if framework == "django" else "django"
    return Recommendation(
        framework=framework,
        scores=scores,
        reasons=strongest_first(framework),
        counter_reasons=strongest_first(other),
        near_tie=near_tie,
        tie_breaker=tie_breaker,
        answers=typed,
    )
