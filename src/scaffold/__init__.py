"""scaffold: recommend Django or Flask and generate a starter project with Copier.

The library API (each command of the ``scaffold`` CLI is one of these calls)::

    import scaffold

    rec = scaffold.recommend({"kind": "api"}, defaults=True)
    project = scaffold.new_project("my-site", framework="flask", defaults=True)
    check = scaffold.check_update("my-site")
    result = scaffold.update_project("my-site")

Every result has ``to_dict()`` (the JSON the CLI prints); every refusal is a
``ScaffoldError`` subclass with an ``exit_code``. Names are imported on first use
(PEP 562), so ``import scaffold`` stays cheap and does not import Copier.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__
from .api import recommend  # eager: see below

# ``recommend`` is bound eagerly: the submodule ``scaffold.recommend`` has the same name,
# and importing a submodule sets the package attribute, which would hide a lazy one.

_LAZY = {
    "new_project": "api",
    "NewProject": "api",
    "template_answers": "api",
    "update_project": "update",
    "check_update": "update",
    "UpdateResult": "update",
    "UpdateCheck": "update",
    "Recommendation": "recommend",
    "ScaffoldError": "errors",
    "InputError": "errors",
    "UnknownQuestion": "errors",
    "InvalidAnswer": "errors",
    "AnswerRejected": "errors",
    "AnswersFileError": "errors",
    "MissingAnswers": "errors",
    "DestinationError": "errors",
    "DestinationNotEmpty": "errors",
    "DestinationIsFile": "errors",
    "DestinationNotWritable": "errors",
    "TemplateError": "errors",
    "ExternalCommandError": "errors",
    "UpdateConflicts": "errors",
    "ProjectStateError": "errors",
    "UpdateAvailable": "errors",
    "Interrupted": "errors",
}

__all__ = ["__version__", "recommend", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
