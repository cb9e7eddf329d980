"""The recommendation core: a table of known cases, and its errors."""

from __future__ import annotations

import pytest

from scaffold.errors import InvalidAnswer, MissingAnswers, UnknownQuestion
from scaffold.recommend import (
    load_criteria,
    missing_answers,
    parse_answers,
    parse_criteria,
    recommend,
    with_defaults,
)

# (id, answers different from the defaults, framework, near tie?, tie-breaker wording or None,
#  a reason that must be among the deciding ones: (question, answer))
CASES = [
    ("microservice", dict(kind="api", microservice=True, size="small", admin=False,
      data="simple", api="api_only", auth=False, architecture="custom"),
     "flask", False, None, ("microservice", True)),
    ("lean-rest-api", dict(kind="api", api="api_only", admin=False, data="simple", auth=False),
     "flask", False, None, ("api", "api_only")),
    ("blog-or-mvp", dict(kind="blog", size="small", admin=False, data="simple", auth=False),
     "flask", False, None, ("kind", "blog")),
    ("cms", dict(kind="cms"), "django", False, None, ("kind", "cms")),
    ("ecommerce", dict(kind="ecommerce", size="large"), "django", False, None,
     ("kind", "ecommerce")),
    ("large-team-tight-deadline", dict(team="large", deadline="tight", admin=False,
      auth=False, data="simple"), "django", False, None, ("deadline", "tight")),
    ("data-intensive", dict(kind="data_platform", size="large", admin=False, auth=False),
     "django", False, None, ("size", "large")),
    ("newcomer", dict(experience="newcomer", kind="blog", admin=False, auth=False,
      data="simple"), "flask", False, None, ("experience", "newcomer")),
    ("high-async-io", dict(async_io="high", api="api_only", admin=False, auth=False,
      data="simple"), "flask", False, None, ("async_io", "high")),
    ("defaults", {}, "django", False, None, ("admin", True)),
    ("internal-tool", dict(kind="internal_tool", architecture="custom", admin=False,
      data="simple", auth=False), "flask", False, None, ("kind", "internal_tool")),
    ("non-relational", dict(data="non_relational", admin=False, auth=False,
      architecture="custom"), "flask", False, None, ("data", "non_relational")),
    ("jinja-prototype", dict(kind="prototype", size="small", admin=False, auth=False,
      data="simple"), "flask", False, None, ("kind", "prototype")),
    ("admin-panel", dict(admin=True, kind="blog", size="small", data="simple", auth=True),
     "django", False, None, ("admin", True)),
    ("middleware", dict(middleware=True, admin=False, auth=False, data="simple",
      deadline="tight"), "django", False, None, ("middleware", True)),
    ("tie-broken-by-large-team", dict(admin=False, auth=False, data="simple",
      team="large", experience="newcomer"), "django", True, "team size", ("team", "large")),
    ("tie-broken-by-newcomer", dict(admin=False, auth=False, data="simple",
      architecture="custom", experience="newcomer", deadline="tight", middleware=True),
     "flask", True, "experience", ("experience", "newcomer")),
    ("tie-broken-by-admin", dict(admin=True, auth=False, data="simple", architecture="custom",
      kind="blog"), "django", True, "admin panel", ("admin", True)),
    ("tie-fallback", dict(admin=False, auth=False, data="simple"), "django", True,
     "nothing else", ("architecture", "conventions")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "framework", "near_tie", "breaker", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_known_cases(changes, framework, near_tie, breaker, reason):
    rec = recommend(with_defaults(changes))
    assert rec.framework == framework, rec.to_dict()
    assert rec.near_tie is near_tie
    if breaker:
        assert breaker in rec.tie_breaker
    else:
        assert rec.tie_breaker is None
        assert rec.scores[framework] > rec.scores["flask" if framework == "django" else "django"]
    assert reason in [(r.question, r.answer) for r in rec.reasons]


def test_reasons_are_tied_to_answers_and_add_up_to_the_scores():
    rec = recommend(with_defaults({"kind": "ecommerce", "microservice": True}))
    every = rec.reasons + rec.counter_reasons
    for fw in ("django", "flask"):
        assert rec.scores[fw] == sum(r.points for r in every if r.framework == fw)
    for r in every:
        assert rec.answers[r.question] == r.answer
        assert r.text.strip()
    assert [r.points for r in rec.reasons] == sorted((r.points for r in rec.reasons), reverse=True)
    assert any(r.question == "microservice" for r in rec.counter_reasons)


def test_every_criterion_of_the_table_can_decide_something():
    criteria = load_criteria()
    for row in criteria.rows:
        rec = recommend(with_defaults({row.question: row.value}))
        assert (row.question, row.value) in [
            (r.question, r.answer) for r in rec.reasons + rec.counter_reasons
        ]


def test_text_answers_are_typed():
    answers = parse_answers({"admin": "no", "microservice": "YES", "kind": " api "})
    assert answers == {"admin": False, "microservice": True, "kind": "api"}


@pytest.mark.parametrize(
    ("raw", "error", "words"),
    [
        ({"colour": "red"}, UnknownQuestion, ["'colour'", "kind", "admin"]),
        ({"kind": "game"}, InvalidAnswer, ["'kind'", "website", "ecommerce"]),
        ({"admin": "maybe"}, InvalidAnswer, ["'admin'", "yes, no"]),
        ({"admin": 3}, InvalidAnswer, ["'admin'"]),
        ({"size": True}, InvalidAnswer, ["'size'", "small"]),
    ],
    ids=["unknown-question", "unknown-choice", "bad-bool", "int-for-bool", "bool-for-choice"],
)
def test_bad_answers_name_the_key_and_allowed_values(raw, error, words):
    with pytest.raises(error) as info:
        recommend(with_defaults({}) | raw)
    for word in words:
        assert word in str(info.value)


def test_incomplete_answers_list_every_missing_key():
    with pytest.raises(MissingAnswers) as info:
        recommend({"kind": "api"})
    assert info.value.keys == missing_answers({"kind": "api"})
    assert "size" in str(info.value) and "middleware" in str(info.value)


def test_table_typos_are_caught_when_loaded():
    data = {
        "tie_margin": 1,
        "questions": {"q": {"prompt": "?", "kind": "bool", "default": True}},
        "criteria": [
            {"question": "q", "value": "sometimes", "framework": "flask", "points": 1,
             "reason": "r"}
        ],
        "tie_breakers": [{"framework": "django", "reason": "r"}],
    }  # fmt: skip
    with pytest.raises(InvalidAnswer):
        parse_criteria(data)
    data["criteria"][0].update(value=True, framework="pyramid")
    with pytest.raises(ValueError, match="pyramid"):
        parse_criteria(data)


def test_json_shape_is_stable():
    data = recommend(with_defaults({})).to_dict()
    assert list(data) == [
        "framework", "scores", "margin", "near_tie", "tie_breaker", "reasons",
        "counter_reasons", "answers",
    ]  # fmt: skip
    assert set(data["reasons"][0]) == {"question", "answer", "framework", "points", "text"}
