"""The recommendation core: cases written from the article, properties, the table, errors.

The scenarios (tests/recommend_data/scenarios.toml) are projects as people describe them,
with the framework the source article would pick and the section that says so.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from scaffold.cli import cli
from scaffold.errors import InvalidAnswer, UnknownQuestion
from scaffold.recommend import (
    FRAMEWORKS,
    choose,
    load_criteria,
    other,
    parse_answers,
    parse_criteria,
    recommend,
    with_defaults,
)
from tests.recommend_data.article import RUN, runs, stored_runs

DATA = Path(__file__).parent / "recommend_data"
SCENARIOS = tomllib.loads((DATA / "scenarios.toml").read_text("utf-8"))["scenario"]
SECTIONS: dict[str, list[str]] = tomllib.loads((DATA / "sections.toml").read_text("utf-8"))[
    "sections"
]
ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "SOURCE-ARTICLE.txt"
CRITERIA = load_criteria()
QUESTIONS = CRITERIA.questions


def is_article_section(source: str) -> bool:
    section, *sub = source.split(" > ")
    return section in SECTIONS and len(sub) <= 1 and all(s in SECTIONS[section] for s in sub)


# ---------------------------------------------------------------- the article's cases


def test_there_are_enough_scenarios_of_each_kind():
    expected = [s["expected"] for s in SCENARIOS]
    assert len(SCENARIOS) >= 40
    assert expected.count("flask") >= 10 and expected.count("django") >= 10
    assert expected.count("split") >= 5
    assert len({s["id"] for s in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
def test_scenario_from_the_article(scenario):
    assert is_article_section(scenario["section"]), scenario["section"]
    rec = recommend(scenario["answers"])
    assert rec.given == [q for q in QUESTIONS if q in scenario["answers"]]
    if scenario["expected"] == "split":
        assert rec.confidence in ("slight", "tie", "none"), rec.to_dict()
        return
    assert rec.framework == scenario["expected"], rec.to_dict()
    assert rec.confidence in ("slight", "clear", "strong"), rec.to_dict()
    assert rec.reasons, "a recommendation that is not a tie has reasons"
    for reason in rec.reasons:  # each reason names answers the person gave
        assert reason.answers and all(q in scenario["answers"] for q in reason.answers)


ISSUE_EXAMPLES = [
    ["kind=blog"],
    ["kind=blog", "size=small"],
    ["kind=api", "api=api_only"],
    ["kind=internal_tool", "architecture=custom"],
    ["kind=api", "microservice=yes"],
    ["kind=blog", "size=small", "team=small", "deadline=tight"],  # a two-person MVP blog
]


@pytest.mark.parametrize("pairs", ISSUE_EXAMPLES, ids=["+".join(p) for p in ISSUE_EXAMPLES])
def test_unanswered_questions_no_longer_push_small_projects_to_django(pairs):
    rec = recommend(dict(pair.split("=") for pair in pairs))
    assert rec.framework == "flask" and rec.tie_breaker is None
    assert rec.scores["flask"] > rec.scores["django"]


# ---------------------------------------------------------------------- properties

answer_sets = st.fixed_dictionaries(
    {}, optional={qid: st.sampled_from([*q.values, q.neutral]) for qid, q in QUESTIONS.items()}
)


def expected_scores(answers: dict) -> dict[str, int]:
    """Points recomputed from the table: a claim counts once if any given answer matches."""
    scores = dict.fromkeys(FRAMEWORKS, 0)
    for row in CRITERIA.rows:
        if any(answers.get(q) == v for q, v in row.when):
            scores[row.framework] += row.points
    return scores


def test_no_answer_no_points():
    rec = recommend({})
    assert rec.scores == {"django": 0, "flask": 0}
    assert rec.given == [] and rec.assumed == list(QUESTIONS)
    assert rec.confidence == "none" and rec.reasons == rec.counter_reasons == []
    for qid, question in QUESTIONS.items():  # the neutral answer, given, scores nothing too
        rec = recommend({qid: question.neutral})
        assert rec.scores == {"django": 0, "flask": 0} and qid in rec.assumed


@settings(max_examples=50, derandomize=True, deadline=None)
@given(answers=answer_sets)
def test_scores_come_from_given_answers_only_and_the_leader_wins(answers):
    rec = recommend(answers)
    assert rec.scores == expected_scores(answers)
    definite = {q for q, v in answers.items() if v != QUESTIONS[q].neutral}
    assert set(rec.given) == definite and set(rec.assumed) == set(QUESTIONS) - definite
    # filling the unanswered questions with the neutral value changes nothing
    assert recommend(with_defaults(answers)).scores == rec.scores
    d, f = rec.scores["django"], rec.scores["flask"]
    if d != f:
        assert rec.framework == ("django" if d > f else "flask")
        assert rec.tie_breaker is None and rec.confidence in ("slight", "clear", "strong")
    else:
        assert rec.tie_breaker and rec.confidence in ("tie", "none")
    for r in rec.reasons + rec.counter_reasons:
        assert all(rec.answers[q] == QUESTIONS[q].parse(v) for q, v in r.answers.items())
    assert sum(r.points for r in rec.reasons) == rec.scores[rec.framework]


@settings(max_examples=40, derandomize=True, deadline=None)
@given(answers=answer_sets)
def test_every_flip_flips_and_the_smallest_are_listed(answers):
    rec = recommend(answers)
    sizes = {len(f.answers) for f in rec.flips}
    assert sizes <= {1} or sizes == {2}
    for flip in rec.flips:
        changed = {**rec.answers, **flip.answers}
        assert choose(changed) == flip.framework == other(rec.framework)
        for qid, value in flip.answers.items():
            assert QUESTIONS[qid].parse(value) != rec.answers[qid]
            assert value != QUESTIONS[qid].neutral
    if sizes != {1}:  # no single definite answer may flip it then
        for qid, question in QUESTIONS.items():
            for value in question.values:
                assert choose({**rec.answers, qid: value}) == rec.framework, (qid, value)


def test_flips_are_exact_for_a_known_case():
    rec = recommend({"kind": "api", "microservice": "yes", "admin": "no"})
    assert rec.framework == "flask" and rec.confidence == "strong"
    assert [f.to_dict() for f in rec.flips] == [
        {"answers": {"kind": "cms"}, "framework": "django"},
        {"answers": {"kind": "ecommerce"}, "framework": "django"},
    ]
    # a tie (3 : 3) that the last tie-breaker gives to Django; one answer turns it
    rec = recommend({"admin": "yes", "microservice": "yes"})
    assert rec.framework == "django" and rec.confidence == "tie"
    assert {"answers": {"admin": "no"}, "framework": "flask"} in [f.to_dict() for f in rec.flips]


def test_two_answer_flips_when_no_single_answer_is_enough():
    rec = recommend({"kind": "cms", "size": "large", "auth": "yes", "team": "large"})
    assert rec.framework == "django"
    assert rec.flips and all(len(f.answers) == 2 for f in rec.flips)


def test_a_claim_counts_once_however_many_answers_say_it():
    for row in CRITERIA.rows:
        answers = {}
        for qid, value in row.when:
            answers.setdefault(qid, value)
        rec = recommend(answers)
        assert rec.scores[row.framework] == row.points, row.claim
        (reason,) = [r for r in rec.reasons + rec.counter_reasons if r.claim == row.claim]
        assert set(reason.answers) == set(answers)


def test_tie_breakers_apply_only_at_an_exact_tie_and_say_so():
    rec = recommend({"team": "large", "scope": "evolving"})  # Django 3, Flask 2: no tie
    assert rec.framework == "django" and rec.tie_breaker is None
    rec = recommend({"team": "large", "architecture": "custom"})  # 3 : 3
    assert rec.confidence == "tie" and rec.near_tie
    assert rec.framework == "django" and "team" in rec.tie_breaker
    rec = recommend({"size": "small", "users": "many", "scope": "evolving"})  # 5 : 3
    assert rec.framework == "flask" and rec.tie_breaker is None
    rec = recommend({"kind": "api", "admin": "yes", "scope": "evolving"})  # 5 : 3
    assert rec.framework == "flask" and rec.confidence != "tie"
    rec = recommend({"kind": "api", "admin": "yes", "experience": "newcomer", "team": "large"})
    assert rec.scores == {"django": 6, "flask": 5} and rec.framework == "django"


@pytest.mark.parametrize(
    ("answers", "label"),
    [
        ({}, "none"),
        ({"admin": "no", "api": "alongside"}, "none"),
        ({"kind": "api", "admin": "yes"}, "tie"),
        ({"kind": "blog", "deadline": "tight"}, "slight"),
        ({"kind": "cms"}, "clear"),
        ({"kind": "cms", "auth": "yes"}, "strong"),
        ({"kind": "cms", "auth": "yes", "experience": "newcomer"}, "clear"),
    ],
    ids=["nothing", "nothing-leans", "tie", "slight", "clear", "strong", "strong-less-sure"],
)
def test_confidence_label(answers, label):
    assert recommend(answers).confidence == label


# ------------------------------------------------------------------------ the table


def test_every_row_cites_a_section_of_the_article():
    sources = [row.source for row in CRITERIA.rows] + [b.source for b in CRITERIA.tie_breakers]
    for source in sources:
        assert is_article_section(source), source


@pytest.mark.skipif(not ARTICLE.is_file(), reason="the source article is not at hand")
def test_the_stored_sections_and_word_runs_match_the_article():
    text = ARTICLE.read_text("utf-8")
    lines = [re.sub(r"^(?:•|\d+\.)\s*", "", line.strip()) for line in text.splitlines()]
    starts = [lines.index(section) for section in SECTIONS]
    assert starts == sorted(starts)
    for n, (section, subs) in enumerate(SECTIONS.items()):
        body = lines[starts[n] + 1 : starts[n + 1] if n + 1 < len(starts) else None]
        for sub in subs:
            assert any(line == sub or line.startswith((f"{sub}:", f"{sub}.")) for line in body), (
                section,
                sub,
            )
    assert stored_runs() == runs(text)


def our_texts() -> list[str]:
    texts = [row.reason for row in CRITERIA.rows] + [b.reason for b in CRITERIA.tie_breakers]
    for q in QUESTIONS.values():
        texts += [q.prompt, q.help, *(label for _, label in q.choices)]
    return texts + [s["description"] for s in SCENARIOS]


def test_no_text_of_ours_repeats_the_article_word_for_word():
    article = stored_runs()
    for text in our_texts():
        assert not runs(text) & article, f"{RUN} words in a row from the article: {text}"


def test_reasons_are_distinct_and_name_the_company_once():
    reasons = [row.reason for row in CRITERIA.rows]
    assert len(set(reasons)) == len(reasons)
    for reason in reasons:
        assert not re.search(r"\b(near tie)\b", reason)


@pytest.mark.parametrize(
    "question", ["kind", "size", "data", "architecture", "scope", "addons"], ids=str
)
def test_weights_are_symmetric_where_the_article_is(question):
    best = dict.fromkeys(FRAMEWORKS, 0)
    for row in CRITERIA.rows:
        if any(q == question for q, _ in row.when):
            best[row.framework] = max(best[row.framework], row.points)
    assert best["django"] == best["flask"] > 0


def test_rest_support_alone_leans_neither_way():
    # both frameworks serve REST APIs well; only an API-only service is the lean case
    for value in ("none", "alongside"):
        assert recommend({"api": value}).scores == {"django": 0, "flask": 0}


def test_every_value_accepted_before_is_still_accepted():
    before = {
        "kind": ["website", "blog", "prototype", "cms", "ecommerce", "api", "internal_tool",
                 "data_platform"],
        "size": ["small", "medium", "large"], "admin": [True, False, "yes", "no"],
        "data": ["simple", "relational", "non_relational"],
        "api": ["none", "alongside", "api_only"], "microservice": [True, False],
        "auth": [True, False], "team": ["solo", "small", "large"],
        "deadline": ["relaxed", "normal", "tight"], "async_io": ["low", "high"],
        "experience": ["newcomer", "experienced"], "architecture": ["conventions", "custom"],
        "middleware": [True, False],
    }  # fmt: skip
    for qid, values in before.items():
        for value in values:
            parse_answers({qid: value})


def test_questions_are_described_for_a_prompt_layer():
    for q in QUESTIONS.values():
        assert q.prompt and q.help and q.kind == "choice"
        assert q.default == q.neutral == "unsure" == q.allowed[-1]
        assert all(q.parse(value) is not None for value in q.allowed)
        assert len(q.allowed) == len(set(q.allowed)) >= 3


def test_text_answers_are_typed():
    answers = parse_answers(
        {"admin": "no", "microservice": "YES", "kind": " API ", "auth": "unsure"}
    )
    assert answers == {"admin": False, "microservice": True, "kind": "api", "auth": "unsure"}


@pytest.mark.parametrize(
    ("raw", "error", "words"),
    [
        ({"colour": "red"}, UnknownQuestion, ["'colour'", "kind", "admin"]),
        ({"kind": "game"}, InvalidAnswer, ["'kind'", "website", "ecommerce", "unsure"]),
        ({"admin": "maybe"}, InvalidAnswer, ["'admin'", "yes, no, unsure"]),
        ({"admin": 3}, InvalidAnswer, ["'admin'"]),
        ({"size": True}, InvalidAnswer, ["'size'", "small"]),
    ],
    ids=["unknown-question", "unknown-choice", "bad-bool", "int-for-bool", "bool-for-choice"],
)
def test_bad_answers_name_the_key_and_allowed_values(raw, error, words):
    with pytest.raises(error) as info:
        recommend(raw)
    for word in words:
        assert word in str(info.value)


def _table(**changes):
    data = {
        "neutral": {"value": "unsure", "label": "not sure"},
        "questions": {"q": {"prompt": "?", "kind": "bool"}},
        "criteria": [{"claim": "c", "when": ["q=yes"], "framework": "flask", "points": 1,
                      "reason": "r", "source": "Conclusion"}],
        "tie_breakers": [{"framework": "django", "reason": "r", "source": "Conclusion"}],
    }  # fmt: skip
    data["criteria"][0].update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"when": ["q=sometimes"]}, InvalidAnswer),
        ({"framework": "pyramid"}, ValueError),
        ({"when": ["q=unsure"]}, ValueError),
        ({"when": ["other=yes"]}, ValueError),
        ({"points": 0}, ValueError),
    ],
    ids=["bad-value", "bad-framework", "neutral-scores", "unknown-question", "no-points"],
)
def test_table_typos_are_caught_when_loaded(changes, error):
    parse_criteria(_table())
    with pytest.raises(error):
        parse_criteria(_table(**changes))


def test_json_shape_is_stable():
    data = recommend({"kind": "cms", "microservice": "yes", "api": "none"}).to_dict()
    assert list(data) == [
        "framework", "confidence", "scores", "margin", "near_tie", "tie_breaker",
        "tie_breaker_source", "reasons", "counter_reasons", "given", "assumed", "flips",
        "template_answers", "answers",
    ]  # fmt: skip
    assert set(data["reasons"][0]) == {
        "question", "answer", "framework", "points", "text", "source", "claim", "answers",
    }  # fmt: skip
    assert data["given"] == ["kind", "api", "microservice"]
    assert data["template_answers"] == {"rest_api": False}
    json.dumps(data)


# -------------------------------------------------------------- the printed result


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    monkeypatch.delenv("SCAFFOLD_TEMPLATE", raising=False)
    return CliRunner()


def test_the_json_read_back_gives_the_same_result(runner, tmp_path):
    args = ["recommend", "--defaults", "--json", "-a", "kind=blog", "-a", "admin=unsure"]
    first = runner.invoke(cli, args, catch_exceptions=False).stdout
    (tmp_path / "rec.json").write_text(first)
    again = runner.invoke(
        cli, ["recommend", "--json", "--answers-file", str(tmp_path / "rec.json")]
    )
    assert again.exit_code == 0 and json.loads(again.stdout) == json.loads(first)
    assert json.loads(first)["given"] == ["kind"]


def test_defaults_with_a_few_answers_assume_and_score_nothing_else(runner):
    args = ["recommend", "--defaults", "--json", "-a", "kind=blog", "-a", "team=small"]
    data = json.loads(runner.invoke(cli, args, catch_exceptions=False).stdout)
    assert data["given"] == ["kind", "team"]
    assert data["assumed"] == [q for q in QUESTIONS if q not in ("kind", "team")]
    assert all(data["answers"][q] == "unsure" for q in data["assumed"])
    assert data["framework"] == "flask" and data["scores"] == {"django": 0, "flask": 3}
    assert {q for r in data["reasons"] for q in r["answers"]} == {"kind"}


@pytest.mark.parametrize(
    "answers",
    [
        ["kind=blog", "team=small", "deadline=tight", "size=small"],
        ["kind=api", "admin=yes"],
        ["kind=cms", "size=large", "auth=yes", "team=large"],
        [],
    ],
    ids=["slight", "tie", "two-answer-flips", "nothing"],
)
def test_human_output_reads_well_at_60_columns(runner, answers):
    args = ["recommend", "--defaults", *(x for a in answers for x in ("-a", a))]
    result = runner.invoke(cli, args, env={"COLUMNS": "60"}, catch_exceptions=False)
    assert result.exit_code == 0
    out = result.stdout
    lines = out.splitlines()
    assert all(len(line) <= 60 for line in lines), out
    assert re.search(r"^Recommendation: (Django|Flask) \(", out)
    assert "scaffold new DEST --framework" in lines[-1]  # how to override, always
    assert out.lower().count("tie") <= 2  # "(tie: ...)" and "It is a tie", never more
    assert "near tie" not in out
    flat = " ".join(out.split())
    for reason in recommend(dict(a.split("=") for a in answers)).reasons:
        assert flat.count(reason.text) == 1
    if answers:
        assert "Not answered (or unsure), so not counted:" in flat
        assert "instead if" in flat
    else:
        assert "Nothing definite was answered, so nothing counts." in flat


def test_the_readme_example_is_what_it_prints(runner):
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    block = readme.split("```text\n$ scaffold recommend ", 1)[1].split("```", 1)[0]
    command, shown = block.split("\n", 1)
    result = runner.invoke(cli, ["recommend", *command.split()], env={"COLUMNS": "96"})
    assert result.exit_code == 0
    assert result.stdout == shown


def test_the_readme_lists_every_question_and_value():
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    table = readme.split("| question | values (besides `unsure`) |", 1)[1].split("\n\n", 1)[0]
    listed = {}
    for line in table.splitlines()[2:]:
        names, values = line.strip("|").split("|")
        for qid in re.findall(r"`(\w+)`", names):
            listed[qid] = re.findall(r"`(\w+)`", values)
    assert listed == {qid: q.allowed[:-1] for qid, q in QUESTIONS.items()}


def test_suggested_template_answers_are_shown(runner):
    args = ["recommend", "--defaults", "-a", "api=none", "-a", "kind=cms"]
    out = runner.invoke(cli, args, env={"COLUMNS": "100"}, catch_exceptions=False).stdout
    assert "Template answers that follow, for scaffold new: -d rest_api=false" in out


def test_heavy_io_suggests_the_async_server(runner):
    """async_io=high: the article's I/O claim scores for Flask, and the template answer
    that serves such requests well (async workers, for either framework) is suggested."""
    rec = recommend({"async_io": "high"})
    assert rec.template_answers == {"async_server": True}
    assert recommend({"async_io": "low"}).template_answers == {}
    args = ["recommend", "--defaults", "-a", "async_io=high", "-a", "api=none"]
    out = runner.invoke(cli, args, env={"COLUMNS": "200"}, catch_exceptions=False).stdout
    hint = "Template answers that follow, for scaffold new: -d rest_api=false -d async_server=true"
    assert hint in out


def test_human_output_names_the_tie_and_what_broke_it(runner):
    args = ["recommend", "--defaults", "-a", "team=large", "-a", "architecture=custom"]
    out = " ".join(runner.invoke(cli, args, catch_exceptions=False).stdout.split())
    assert "Recommendation: Django (tie: Django 3, Flask 3)" in out
    assert "It is a tie (Django 3, Flask 3), broken in favour of Django: Your team is big" in out
    assert "Flask instead if: " in out
