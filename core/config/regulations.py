"""Which version of each regulation is current: `quizzes/regulations.yaml`.

A bank (or one question) says which text it follows, e.g. `follows:
{《中国共产党纪律处分条例》: 2023}`. When a regulation is revised, the agency adds the old
year to its `superseded` list here, and `python bot.py check` names every question that
cites that regulation (its `source` or text names it) under the old version: the ones to
check against the new text. Those are reminders, not errors: the banks still load.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.config.banks import REGULATIONS_FILE, BankSet, Question
from core.config.schema import RegulationsFile
from core.config.yaml_loader import ConfigErrors, ConfigProblem, load_yaml, validate_document

ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇两\d]+条(?:第[一二三四五六七八九十\d]+款)?")


@dataclass(frozen=True)
class Versions:
    """One regulation's current version and the ones it replaced."""

    current: int
    superseded: frozenset[int]


def load_regulations(quiz_dir: Path, display_dir: str = "quizzes") -> Mapping[str, Versions]:
    """The declared versions (none without the file); `ConfigErrors` if the file is wrong."""
    path = quiz_dir / REGULATIONS_FILE
    if not path.is_file():
        return {}
    name = f"{display_dir}/{REGULATIONS_FILE}"
    document = load_yaml(path, name)
    shape, errors = validate_document(RegulationsFile, name, document)
    if errors or shape is None:
        raise ConfigErrors([error.problem() for error in errors])
    return {
        title: Versions(regulation.current, frozenset(regulation.superseded or ()))
        for title, regulation in shape.regulations.items()
    }


def superseded_citations(
    banks: BankSet, regulations: Mapping[str, Versions]
) -> list[ConfigProblem]:
    """A reminder for each question that cites a regulation under a superseded version."""
    reminders = []
    for bank in banks.banks:
        for number, question in enumerate(bank.questions, start=1):
            for title, version in question.follows:
                versions = regulations.get(title)
                if versions is None or version not in versions.superseded:
                    continue
                if title in question.source or title in question.text:
                    reminder = _reminder(bank.file, number, question, title, version, versions)
                    reminders.append(reminder)
    return reminders


def _reminder(
    file: str, number: int, question: Question, title: str, version: int, versions: Versions
) -> ConfigProblem:
    articles = "、".join(dict.fromkeys(ARTICLE.findall(question.source))) or "所引条文"
    message = (
        f"第 {number} 题（{question.id}）依据{title}{version} 年版，该版已被 {versions.current} "
        f"年版取代：请对照新版核对{articles}，改好后把 follows 改为 {versions.current}"
    )
    return ConfigProblem(file, 0, f"questions[{number - 1}]", message)
