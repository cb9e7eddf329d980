"""The ``scaffold`` command: a thin Click layer over the library.

It turns switches into calls and ``ScaffoldError`` into one ``Error: ...`` line
and an exit code (see ``errors.py``). Copier is imported only by the commands
that render (through ``generate``), so ``scaffold --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from .answers import parse_pairs, read_copier_data, read_recommend_answers
from .api import recommend
from .errors import Interrupted, ScaffoldError
from .recommend import Recommendation, load_criteria
from .starters import FRAMEWORKS, STARTERS, other


class _ScaffoldClickError(click.ClickException):
    def __init__(self, error: ScaffoldError) -> None:
        super().__init__(error.message)
        self.exit_code = error.exit_code
        self.interrupted = isinstance(error, Interrupted)

    def show(self, file: Any = None) -> None:
        if self.interrupted and sys.stderr.isatty():
            click.echo("", err=True)  # past the terminal's "^C", at the start of a line
        super().show(file)

    def format_message(self) -> str:
        # One line on a pipe or in a log; on a terminal, folded to its width (never cut).
        if not sys.stderr.isatty():
            return self.message
        from .prompts import wrap

        return wrap(f"Error: {self.message}").removeprefix("Error: ")


@contextlib.contextmanager
def _reported(ctx: click.Context | None = None) -> Iterator[None]:
    """The one place where errors become exit codes: every ScaffoldError is one
    ``Error: ...`` line; Ctrl-C, end of input and SIGTERM (see ``main``) are
    ``Interrupted`` (130)."""
    try:
        try:
            yield
        except (KeyboardInterrupt, EOFError, click.Abort):
            raise Interrupted() from None
    except ScaffoldError as error:
        if not error.report and ctx is not None:
            ctx.exit(error.exit_code)
        raise _ScaffoldClickError(error) from None


class ScaffoldGroup(click.Group):
    """Parsing and every command run inside :func:`_reported`."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _reported():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with _reported(ctx):
            return super().invoke(ctx)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from ._version import TEMPLATE_URL, __version__
    from .generate import packaged_template, release_tag

    where = f"from {TEMPLATE_URL}" if packaged_template() else "missing from this installation"
    click.echo(f"scaffold {__version__} (template {release_tag(__version__)} {where})")
    ctx.exit()


def _interactive(prompt: bool | None) -> bool:
    """Ask on the terminal only when there is one and CI is not set (or when told)."""
    if prompt is not None:
        return prompt
    return sys.stdin.isatty() and not os.environ.get("CI")


def _color(ctx: click.Context) -> None:
    if os.environ.get("NO_COLOR"):
        ctx.color = False


def _emit_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.group(
    cls=ScaffoldGroup,
    epilog="""\b
Examples:
  scaffold recommend
  scaffold new my-site --defaults
  scaffold update my-site

Exit codes are listed in README.md.""",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the scaffold and template versions and exit.",
)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Choose between Django and Flask, then generate a ready-to-run starter
    project that you can keep up to date with `scaffold update`."""
    _color(ctx)


# ------------------------------------------------------------- recommend answers

answer_options = [
    click.option(
        "--answer",
        "-a",
        "answer_pairs",
        multiple=True,
        metavar="KEY=VALUE",
        help="Answer one recommendation question (repeatable), e.g. -a admin=yes.",
    ),
    click.option(
        "--answers-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="YAML file of recommendation answers, or the JSON of `scaffold recommend --json`.",
    ),
    click.option(
        "--defaults",
        is_flag=True,
        help="Use the default for every answer not given instead of asking.",
    ),
    click.option(
        "--prompt/--no-prompt",
        default=None,
        help="Ask missing answers on the terminal [default: only when stdin is a terminal "
        "and CI is not set].",
    ),
]


def _json_option(what: str = "the result") -> Any:
    return click.option("--json", "as_json", is_flag=True, help=f"Print {what} as JSON (for CI).")


def _data_option(help: str) -> Any:
    return click.option(
        "--data", "-d", "data_pairs", multiple=True, metavar="KEY=VALUE", help=help
    )


def _template_option(help: str, *, from_env: bool = False) -> Any:
    """``--template``; with ``from_env``, ``$SCAFFOLD_TEMPLATE`` when not given."""
    if from_env:
        return click.option("--template", envvar="SCAFFOLD_TEMPLATE", help=help)
    return click.option("--template", metavar="SRC", help=help)


def _apply(options: list) -> Any:
    def decorator(f: Any) -> Any:
        for option in reversed(options):
            f = option(f)
        return f

    return decorator


def _asker(prompt: bool | None) -> Any:
    """The terminal, when questions may be asked; else None (missing answers are errors)."""
    if not _interactive(prompt):
        return None
    from .prompts import Terminal

    return Terminal()


def _recommend_answers(pairs: tuple[str, ...], answers_file: Path | None) -> dict[str, Any]:
    """Recommendation answers from the file, then the flags (flags win)."""
    raw: dict[str, Any] = {}
    if answers_file:
        raw.update(read_recommend_answers(answers_file))
    raw.update(parse_pairs(pairs, "--answer"))
    return raw


_LEAD = {"strong": "strong lead", "clear": "clear lead", "slight": "slight lead", "tie": "tie"}


def _width() -> int:
    """The terminal's width (COLUMNS when set), kept between 40 and 100 columns."""
    import shutil

    return max(40, min(shutil.get_terminal_size((80, 24)).columns, 100))


def _say(text: str, first: str = "", rest: str | None = None, bold: bool = False) -> None:
    """Print ``text`` wrapped at word boundaries to the terminal's width."""
    import textwrap

    click.secho(
        textwrap.fill(
            text,
            width=_width(),
            initial_indent=first,
            subsequent_indent=" " * len(first) if rest is None else rest,
            break_long_words=False,
            break_on_hyphens=False,
        ),
        bold=bold,
    )


def _pairs(answers: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in answers.items())


def _show_recommendation(rec: Recommendation) -> None:
    name = STARTERS[rec.framework].label
    rival = other(rec.framework)
    rival_name = STARTERS[rival].label
    criteria = load_criteria()
    scores = f"{name} {rec.scores[rec.framework]}, {rival_name} {rec.scores[rival]}"
    if rec.confidence == "none":
        _say(f"Recommendation: {name} (default: nothing leans either way)", bold=True)
    else:
        _say(f"Recommendation: {name} ({_LEAD[rec.confidence]}: {scores})", bold=True)
    given = {q: criteria.questions[q].text(rec.answers[q]) for q in rec.given}
    if not given:
        _say("Nothing definite was answered, so nothing counts. " + (rec.tie_breaker or ""))
    elif rec.confidence == "none":
        _say(f"Your answers ({_pairs(given)}) favour neither. " + (rec.tie_breaker or ""))
    else:
        _say(f"From your answers: {_pairs(given)}.")
    if rec.reasons:
        click.echo(f"Why {name}:")
        for reason in rec.reasons:
            _say(f"{_pairs(reason.answers)}: {reason.text}", "  + ", "    ")
    if rec.counter_reasons:
        click.echo(f"In favour of {rival_name}:")
        for reason in rec.counter_reasons:
            _say(f"{_pairs(reason.answers)}: {reason.text}", "  - ", "    ")
    if rec.confidence == "tie":
        _say(f"It is a tie ({scores}), broken in favour of {name}: {rec.tie_breaker}")
    if rec.assumed:
        if given:
            _say(f"Not answered (or unsure), so not counted: {', '.join(rec.assumed)}.")
        else:
            _say("Answer a few questions for a real recommendation, e.g. "
                 "scaffold recommend -a kind=blog -a size=small (see --list).")  # fmt: skip
    singles = [f for f in rec.flips if len(f.answers) == 1]
    if singles:
        _say(f"{rival_name} instead if: " + ", ".join(_pairs(f.answers) for f in singles) + ".")
    elif rec.flips:
        shown = [" and ".join(f"{k}={v}" for k, v in f.answers.items()) for f in rec.flips[:4]]
        more = len(rec.flips) - len(shown)
        tail = f"; {more} more in --json" if more else ""
        _say(f"{rival_name} instead if two answers change: " + "; ".join(shown) + tail + ".")
    else:
        _say(f"No change of one or two answers would make it {rival_name}.")
    if rec.template_answers:
        hints = " ".join(
            f"-d {k}={json.dumps(v).strip(chr(34))}" for k, v in rec.template_answers.items()
        )
        _say(f"Template answers that follow, for scaffold new: {hints}")
    _say(f"To override: scaffold new DEST --framework {rival}")


@cli.command(
    "recommend",
    epilog="""\b
Examples:
  scaffold recommend
  scaffold recommend --defaults --json
  scaffold recommend -a kind=api -a microservice=yes --defaults
  scaffold recommend --answers-file answers.yml --json > recommendation.json""",
)
@_apply(answer_options)
@_json_option()
@click.option("--list", "list_questions", is_flag=True, help="List the questions and exit.")
def recommend_cmd(
    answer_pairs: tuple[str, ...],
    answers_file: Path | None,
    defaults: bool,
    prompt: bool | None,
    as_json: bool,
    list_questions: bool,
) -> None:
    """Recommend Django or Flask for what you are building, with the reasons."""
    if list_questions:
        _list_questions(as_json)
        return
    rec = recommend(
        _recommend_answers(answer_pairs, answers_file), defaults=defaults, ask=_asker(prompt)
    )
    if as_json:
        _emit_json(rec.to_dict())
    else:
        _show_recommendation(rec)


def _list_questions(as_json: bool) -> None:
    questions = load_criteria().questions.values()
    if as_json:
        _emit_json(
            {
                q.id: {
                    "prompt": q.prompt,
                    "help": q.help,
                    "kind": q.kind,
                    "allowed": q.allowed,
                    "choices": dict(q.choices),
                    "default": q.default,
                }
                for q in questions
            }
        )
        return
    for q in questions:
        _say(f"{q.id:<13} {q.prompt} [{'|'.join(q.allowed)}]", "", " " * 14)
    _say("Unanswered questions (and --defaults) mean unsure, which scores nothing.")


# ------------------------------------------------------------------------- new


class _NewCommand(click.Command):
    """``new --help`` also lists the template's answers, read from the template."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from .api import template_answers

        try:
            entries = template_answers()
        except ScaffoldError as error:
            formatter.write_paragraph()
            formatter.write_text(f"Template answers: unavailable ({error.message}).")
        else:
            rows = []
            for entry in entries:
                rows.append((entry["key"], f"{entry['help']} [{_values(entry)}]"))
            with formatter.section("Template answers (-d KEY=VALUE, or --data-file)"):
                formatter.write_dl(rows)
        super().format_epilog(ctx, formatter)


def _values(entry: dict[str, Any]) -> str:
    """``sqlite|postgresql; default: sqlite`` for one template answer."""
    if entry["choices"]:
        kind = "|".join(str(choice) for choice in entry["choices"])
    elif entry["type"] == "bool":
        kind = "true|false"
    else:
        kind = "text" if entry["type"] == "str" else entry["type"]
    default = entry["default"]
    if isinstance(default, bool):
        default = str(default).lower()
    if entry["default_from"]:
        shown = f"default: {entry['default_from']}, else {default}"
    elif entry["computed"]:
        shown = f"default: computed, e.g. {default}"
    else:
        shown = f"default: {default}"
    return f"{kind}; {shown}"


@cli.command(
    "new",
    cls=_NewCommand,
    epilog="""\b
Examples:
  scaffold new my-site
  scaffold new my-site --defaults
  scaffold new api --framework flask -d project_name="Orders API" -d database=postgresql
  scaffold new my-site --answers-file answers.yml --data-file project.yml --json
  scaffold new my-site --defaults --install && cd my-site && .venv/bin/pytest""",
)
@click.argument("dest", type=click.Path(path_type=Path))
@click.option(
    "--framework",
    type=click.Choice(FRAMEWORKS),
    help="Use this framework instead of the recommendation.",
)
@_apply(answer_options)
@_data_option("Answer a template question (repeatable), e.g. -d database=postgresql.")
@click.option(
    "--data-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML file of template answers (project_name, database, ...).",
)
@_template_option(
    from_env=True,
    help="Template source: a git URL, or a local checkout (recorded as is: template "
    "development only) [default: the published URL, rendered offline from this "
    "installation's copy].",
)
@click.option(
    "--vcs-ref",
    help="Template version (tag) to render [default: this installation's release; for a "
    "local checkout, its HEAD].",
)
@click.option("--no-git", is_flag=True, help="Do not create a git repository and first commit.")
@click.option(
    "--install",
    is_flag=True,
    help="Also create DEST/.venv and install the project (uv if available, else pip).",
)
@_json_option()
@click.option("--quiet", "-q", is_flag=True, help="Print only errors (and --json output).")
@click.option("--verbose", "-v", is_flag=True, help="Also print the template source and answers.")
def new_cmd(
    dest: Path,
    framework: str | None,
    answer_pairs: tuple[str, ...],
    answers_file: Path | None,
    defaults: bool,
    prompt: bool | None,
    data_pairs: tuple[str, ...],
    data_file: Path | None,
    template: str | None,
    vcs_ref: str | None,
    no_git: bool,
    install: bool,
    as_json: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Generate a ready-to-run Django or Flask project in DEST (a new or empty folder)."""
    from .api import new_project

    def say(message: str) -> None:
        if not quiet:
            click.secho(message, err=True, fg="cyan")

    def warn(message: str) -> None:
        click.secho(f"Warning: {message}", err=True, fg="yellow")

    data: dict[str, Any] = read_copier_data(data_file) if data_file else {}
    data.update(parse_pairs(data_pairs, "--data"))
    result = new_project(
        dest,
        framework=framework,
        answers=_recommend_answers(answer_pairs, answers_file),
        data=data,
        template=template,
        vcs_ref=vcs_ref,
        defaults=defaults,
        ask=_asker(prompt),
        git=not no_git,
        install=install,
        on_step=say,
        on_warning=warn,
        on_recommendation=None if as_json or quiet else _show_recommendation,
    )
    try:
        if verbose and not quiet:
            say(f"Template {result.src_path} at {result.template_commit}")
            for key, value in result.answers.items():
                say(f"  {key}: {value}")
        if as_json:
            _emit_json(result.to_dict())
        elif not quiet:
            _next_steps(result.path, result.framework, installed=result.installed_with is not None)
    except KeyboardInterrupt:  # the project is whole by now: say so, and keep it
        raise Interrupted(f"interrupted; the project in {result.path} is complete") from None


def _next_steps(path: Path, framework: str, installed: bool = False) -> None:
    from .starters import STARTERS

    try:
        shown = path.relative_to(Path.cwd())
    except ValueError:
        shown = path
    starter = STARTERS[framework]
    click.secho(f"Created a {starter.label} project in {shown}", fg="green", bold=True)
    lines = starter.next_steps(str(shown), installed=installed)
    click.echo("Next steps:\n" + "\n".join(f"  {line}" for line in lines))


# ----------------------------------------------------------- update, check-update


def _project_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd())) or "."
    except ValueError:
        return str(path)


@cli.command(
    "update",
    epilog="""\b
Examples:
  scaffold update                       # the project in this folder, to the newest version
  scaffold update my-site --to v0.2.0
  scaffold update --conflict rej        # conflicts as *.rej files instead of markers
  scaffold update -d docker=true -d database=postgresql
  scaffold update --template https://github.com/your-org/scaffold.git   # it moved
  scaffold update --json""",
)
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--to",
    "ref",
    metavar="REF",
    help="Template version: a release tag such as v0.2.0 (or a branch or commit of a "
    "template checkout) [default: the newest release tag].",
)
@_template_option(
    help="Update from this template source instead of the recorded one (_src_path): a "
    "git URL, which is then recorded, or a local checkout (e.g. in CI), which is not.",
)
@click.option(
    "--conflict",
    type=click.Choice(["inline", "rej"]),
    default="inline",
    show_default=True,
    help="How to leave conflicts: markers in the files, or *.rej files beside them.",
)
@_data_option("Change a template answer (repeatable), e.g. -d rest_api=false.")
@_json_option()
def update_cmd(
    path: Path,
    ref: str | None,
    template: str | None,
    conflict: str,
    data_pairs: tuple[str, ...],
    as_json: bool,
) -> None:
    """Bring the project in PATH (default: here) up to a newer template version.

    Your changes are kept (a three-way merge by Copier); the result is left
    uncommitted for you to review. The project must be a git repository with
    no uncommitted changes. Exit code 6 means conflicts are left to resolve.
    """
    from .errors import UpdateConflicts
    from .update import update_project

    data = parse_pairs(data_pairs, "--data")
    result = update_project(path, to=ref, data=data, conflict=conflict, template=template)
    if result.note and not as_json:
        click.echo(f"Note: {result.note}", err=True)
    if result.template_dirty and not as_json:
        click.secho(
            f"Warning: the template at {result.src_path} has uncommitted changes; "
            "they are not used (commit them to use them)",
            err=True,
            fg="yellow",
        )
    if as_json:
        _emit_json(result.to_dict())
    elif result.status == "up-to-date":
        click.echo(
            f"Already up to date: {_project_path(result.path)} uses template "
            f"version {result.new_version}."
        )
    else:
        _show_update(result)
    if result.conflicts:
        raise UpdateConflicts(result.conflicts)


def _show_update(result: Any) -> None:
    where = _project_path(result.path)
    click.secho(
        f"Updated {where} from template version {result.old_version} to {result.new_version}.",
        fg="yellow" if result.conflicts else "green",
        bold=True,
    )
    if result.diff_stat:
        click.echo(result.diff_stat)
    added = [name for code, name in result.changed if code == "??"]
    if added:
        click.echo("New files:")
        for name in added:
            click.echo(f"  {name}")
    merged = [name for name in result.conflicts if name not in result.kept]
    if merged:
        click.echo("Conflicts to resolve (your version and the template's are both kept):")
        for name in merged:
            click.echo(f"  {name}")
    if result.kept:
        click.echo("Dropped by the template, but you changed them, so they were kept:")
        for name in result.kept:
            click.echo(f"  {name}")
        click.echo("Delete them (git rm) if you no longer need them.")
    if merged:
        fix = (
            "apply what you want from each .rej file by hand, then delete it"
            if any(name.endswith(".rej") for name in result.conflicts)
            else "edit the lines between <<<<<<< and >>>>>>>, then `git add` the files"
        )
        click.echo(f"To resolve: {fix}.")
    click.echo(
        "Nothing was committed. Review with `git status` and `git diff`, run the tests, then:\n"
        '  git add --all && git commit -m "Update from the scaffold template"\n'
        "To undo the update instead: git reset --hard && git clean -fd"
    )


@cli.command(
    "check-update",
    epilog="""\b
Examples:
  scaffold check-update
  scaffold check-update my-site --json
  scaffold check-update my-site --template ../scaffold  # a local checkout of the template""",
)
@click.argument("path", type=click.Path(path_type=Path), default=".")
@_template_option(
    help="Compare with this template source instead of the one the project records "
    "(_src_path): a moved repository, a fork, a local checkout (as `update --template`).",
)
@_json_option()
def check_update_cmd(path: Path, template: str | None, as_json: bool) -> None:
    """Say whether a newer template version exists for the project in PATH.

    Exit code 0: up to date; 8: an update is available (`scaffold update`).
    """
    from .errors import UpdateAvailable
    from .update import check_update

    check = check_update(path, template=template)
    if as_json:
        _emit_json(check.to_dict())
    else:
        click.echo(f"Template:          {check.src_path}")
        click.echo(f"Project version:   {check.current}")
        click.echo(f"Newest version:    {check.latest}")
        if check.note:
            click.echo(f"Note: {check.note}")
        if check.update_available:
            click.secho("An update is available: run `scaffold update` to apply it.", fg="yellow")
        else:
            click.secho("The project is up to date.", fg="green")
    if check.update_available:
        raise UpdateAvailable(check.latest)


# ----------------------------------------------------------------------- bench


@cli.command(
    "bench",
    epilog="""\b
Examples:
  scaffold bench
  scaffold bench --duration 5 --connections 8 --chart bench.png
  scaffold bench --json > bench.json
  scaffold bench ./my-django-site ./my-flask-site
  scaffold bench --framework flask --duration 2 --no-tests
  scaffold bench --async --duration 5""",
)
@click.argument("projects", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--duration",
    type=click.IntRange(1, 600),
    default=10,
    show_default=True,
    help="Seconds of load per endpoint (after a warm-up of a fifth of it, at least 1 s).",
)
@click.option(
    "--connections",
    type=click.IntRange(1, 256),
    default=16,
    show_default=True,
    help="Concurrent connections during the load.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 16),
    default=2,
    show_default=True,
    help="gunicorn sync workers for every server.",
)
@click.option(
    "--framework",
    "frameworks",
    type=click.Choice(FRAMEWORKS),
    multiple=True,
    help="Generate and measure only this starter (repeatable) [default: both].",
)
@click.option(
    "--articles",
    type=click.IntRange(20, 100_000),
    default=200,
    show_default=True,
    help="Published articles seeded into each project.",
)
@click.option(
    "--load-tool",
    type=click.Choice(["auto", "wrk", "python"]),
    default="auto",
    show_default=True,
    help="Load generator: wrk when installed, else a Python client.",
)
@click.option(
    "--installer",
    type=click.Choice(["auto", "uv", "pip"]),
    default="auto",
    show_default=True,
    help="How to install each project: uv when available, else venv + pip.",
)
@click.option("--no-tests", is_flag=True, help="Do not run (and time) the projects' test suites.")
@_template_option(
    from_env=True,
    help="Template source for the generated starters [default: this installation's].",
)
@click.option("--vcs-ref", help="Template git ref to render [default: the checkout's HEAD].")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the projects, venvs and logs in this new folder [default: a temporary one].",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a PNG bar chart of requests/s and p99 (needs the bench extra).",
)
@click.option(
    "--async",
    "async_compare",
    is_flag=True,
    help="Instead: each starter with and without async_server, on its own gunicorn.conf.py, "
    "on a view that waits on a slow upstream service and on the CPU-bound endpoints.",
)
@click.option(
    "--io-connections",
    type=click.IntRange(1, 2000),
    default=200,
    show_default=True,
    help="With --async: concurrent connections on the I/O-bound view.",
)
@click.option(
    "--upstream-delay",
    type=click.IntRange(1, 10_000),
    default=100,
    show_default=True,
    help="With --async: milliseconds the upstream service takes to answer.",
)
@_json_option("the results")
@click.option("--quiet", "-q", is_flag=True, help="Do not print progress lines.")
def bench_cmd(
    projects: tuple[Path, ...],
    duration: int,
    connections: int,
    workers: int,
    frameworks: tuple[str, ...],
    articles: int,
    load_tool: str,
    installer: str,
    no_tests: bool,
    template: str | None,
    vcs_ref: str | None,
    workdir: Path | None,
    chart: Path | None,
    async_compare: bool,
    io_connections: int,
    upstream_delay: int,
    as_json: bool,
    quiet: bool,
) -> None:
    """Measure the Django and Flask starters side by side: requests/s and p50/p99
    latency per endpoint under gunicorn, worker memory, cold start, install and
    test times, lines of code and dependencies, against bare-framework and bare
    REST-library views of the same 20 rows.

    Without PROJECTS, both starters are generated with the same answers into a
    temporary folder; with PROJECTS (folders made by `scaffold new`), copies of
    them are measured. Servers bind 127.0.0.1 only and are always stopped.
    """
    from .bench import BenchOptions, format_table, require_matplotlib, run_bench, write_chart

    if projects and frameworks:
        from .errors import InputError

        raise InputError("give either PROJECTS or --framework, not both")
    if async_compare and (projects or chart is not None):
        from .errors import InputError

        raise InputError(
            "--async generates its own starters and draws no chart: drop PROJECTS and --chart"
        )
    if chart is not None:
        require_matplotlib("--chart")  # before any work

    def say(message: str) -> None:
        if not quiet:
            click.secho(message, err=True, fg="cyan")

    options = BenchOptions(
        duration=duration,
        connections=connections,
        workers=workers,
        articles=articles,
        frameworks=frameworks or FRAMEWORKS,
        projects=projects,
        template=template,
        vcs_ref=vcs_ref,
        tool=load_tool,
        installer=installer,
        run_tests=not no_tests,
        workdir=workdir,
        async_compare=async_compare,
        io_connections=io_connections,
        upstream_delay_ms=upstream_delay,
    )
    report = run_bench(options, say)
    if chart is not None:
        say(f"chart written to {write_chart(report, chart)}")
    if as_json:
        _emit_json(report)
    else:
        click.echo(format_table(report))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``scaffold`` console script and ``python -m scaffold``."""
    from .vcs import sigterm_as_interrupt

    try:
        with sigterm_as_interrupt():  # SIGTERM unwinds like Ctrl-C: cleanups run, exit 130
            cli.main(args=argv, prog_name="scaffold", standalone_mode=True)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0
