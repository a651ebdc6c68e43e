"""Changing the configuration while the bot runs: /reload, and YAML files admins send the bot.

A file sent in is checked as part of the whole configuration it would join: the current
`schedules.yaml` and banks are copied to a staging folder with the new file in place and
loaded there. Only a file that passes is written (atomically), the one it replaces kept
as `<folder>/.backup/<name>.<YYYYmmdd-HHMMSS>`; the caller then reloads.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from core import messages
from core.config.agency import SCHEDULES_FILE
from core.config.bank_sheet import import_bank_sheet
from core.config.banks import load_banks, parse_bank
from core.config.loading import QUIZ_DIR, Configuration, load_configuration
from core.config.yaml_loader import (
    MAX_UPLOAD_BYTES,
    ConfigErrors,
    ConfigProblem,
    parse_yaml_text,
)
from core.errors import UserError
from core.store.atomic_files import write_atomically

BACKUP_DIR = ".backup"
YAML_SUFFIXES = (".yaml", ".yml")
# Problems listed in one message, at most (the rest: python bot.py check).
PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class Reloaded:
    """The outcome of reading every YAML file again."""

    configuration: Configuration | None  # None: schedules.yaml was refused, keep the running one
    text: str


@dataclass(frozen=True)
class Installed:
    """A file that passed and was written."""

    target: str  # relative to the configuration folder, e.g. "quizzes/discipline.yaml"
    backup: str | None  # where the file it replaced was kept
    text: str
    # The whole configuration as checked with the file in place: the folder's now, since
    # changes are made one at a time (the caller uses it rather than loading it again).
    configuration: Configuration


def problem_list(problems: Sequence[ConfigProblem]) -> str:
    """One line per problem (file:line: field: message), the first `PROBLEMS_SHOWN` of them."""
    shown = "\n".join(str(p) for p in problems[:PROBLEMS_SHOWN])
    if len(problems) > PROBLEMS_SHOWN:
        more = messages.ADMIN_CONFIG_WARNINGS_MORE.format(count=len(problems) - PROBLEMS_SHOWN)
        shown = f"{shown}\n{more}"
    return shown


def reload_configuration(config_dir: Path) -> Reloaded:
    """Load every YAML file again; a broken schedules.yaml keeps the running configuration."""
    try:
        configuration = load_configuration(config_dir)
    except ConfigErrors as errors:
        return Reloaded(
            None, messages.RELOAD_FAILED.format(problems=problem_list(errors.problems))
        )
    return reloaded(configuration)


def reloaded(configuration: Configuration) -> Reloaded:
    """What the admin is told of a configuration now in use."""
    agency, banks = configuration.agency, configuration.banks.banks
    text = messages.RELOAD_DONE.format(
        branches=len(agency.branches),
        schedules=len(agency.schedules),
        banks=len(banks),
        questions=sum(len(bank.questions) for bank in banks),
    )
    if configuration.warnings:
        warnings = messages.RELOAD_WARNINGS.format(problems=problem_list(configuration.warnings))
        text = f"{text}\n{warnings}"
    return Reloaded(configuration, text)


def check_upload(file_name: str, size: int, limit: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse, before downloading, a file that is not YAML or is too large."""
    if PurePosixPath(file_name).suffix.lower() not in YAML_SUFFIXES:
        raise UserError(messages.UPLOAD_NOT_YAML.format(name=file_name))
    check_size(file_name, size, min(limit, MAX_UPLOAD_BYTES))  # YAML: never more than 20 MB


def check_size(file_name: str, size: int, limit: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse a file larger than the bot may download (`Settings.max_download_bytes`)."""
    if size > limit:
        megabytes = limit // 1_000_000
        raise UserError(messages.UPLOAD_TOO_BIG.format(name=file_name, size=size, limit=megabytes))


def install_upload(config_dir: Path, file_name: str, content: bytes, now: datetime) -> Installed:
    """Validate a bank or schedules.yaml sent by an admin, then write it; `UserError` if refused.

    A file with `questions:` at the top is a bank: it replaces the bank with the same id
    (whatever its file is called), else a refused bank file of the same name, else
    becomes `quizzes/<id>.yaml`. A file with `branches:` replaces `schedules.yaml`.
    """
    check_upload(file_name, len(content))
    document = _parsed(content, file_name)
    text = content.decode("utf-8")
    if isinstance(document, dict) and "questions" in document:
        try:
            bank = parse_bank(document, file_name)
        except ConfigErrors as errors:
            raise _refused(file_name, errors.problems) from errors
        target = _bank_target(config_dir, bank.id, file_name)
        staged = _staged_configuration(config_dir, target, text, file_name)
        problems = [p for p in staged.banks.problems if p.file == target]
        if problems:
            raise _refused(file_name, problems)
        done = messages.UPLOAD_INSTALLED_BANK.format(
            bank=bank.id, title=bank.title, count=len(bank.questions), target=target
        )
    elif isinstance(document, dict) and "branches" in document:
        target = SCHEDULES_FILE
        staged = _staged_configuration(config_dir, target, text, file_name)
        done = messages.UPLOAD_INSTALLED_SCHEDULES.format(
            branches=len(staged.agency.branches), schedules=len(staged.agency.schedules)
        )
    else:
        raise UserError(messages.UPLOAD_UNKNOWN_KIND.format(name=file_name))
    return _installed(config_dir, target, text, now, done, staged)


def install_bank_sheet(
    config_dir: Path, file_name: str, content: bytes, bank_id: str, title: str, now: datetime
) -> Installed:
    """A bank spreadsheet, checked as a bank and with the configuration it joins, written
    as `quizzes/<id>.yaml` (or over the bank of that id); `UserError` if refused. (Its size
    is the caller's: checked before the download in chat, none for a file on disk.)"""
    imported = import_bank_sheet(file_name, content, bank_id, title)
    bank = imported.bank
    target = _bank_target(config_dir, bank.id, f"{bank.id}.yaml")
    staged = _staged_configuration(config_dir, target, imported.text, file_name)
    problems = [p for p in staged.banks.problems if p.file == target]
    if problems:
        raise _refused(file_name, problems)
    done = messages.UPLOAD_INSTALLED_BANK.format(
        bank=bank.id, title=bank.title, count=len(bank.questions), target=target
    )
    if imported.repeats:
        rows = "、".join(
            messages.BANK_SHEET_REPEAT.format(row=row, first=first)
            for row, first in imported.repeats[:PROBLEMS_SHOWN]
        )
        repeats = messages.BANK_SHEET_REPEATS.format(count=len(imported.repeats), rows=rows)
        done = f"{done}\n{repeats}"
    return _installed(config_dir, target, imported.text, now, done, staged)


def _installed(
    config_dir: Path, target: str, text: str, now: datetime, done: str, staged: Configuration
) -> Installed:
    backup = _write_with_backup(config_dir, target, text, now)
    if backup is not None:
        done = f"{done}\n{messages.UPLOAD_BACKUP.format(backup=backup)}"
    return Installed(target, backup, done, staged)


def _parsed(content: bytes, file_name: str) -> object:
    try:
        return parse_yaml_text(content, file_name, MAX_UPLOAD_BYTES)
    except ConfigErrors as errors:
        raise _refused(file_name, errors.problems) from errors


def _refused(file_name: str, problems: Sequence[ConfigProblem]) -> UserError:
    return UserError(
        messages.UPLOAD_INVALID.format(name=file_name, problems=problem_list(problems))
    )


def _bank_target(config_dir: Path, bank_id: str, file_name: str) -> str:
    current = load_banks(config_dir / QUIZ_DIR, QUIZ_DIR)
    same_id = current.bank(bank_id)
    if same_id is not None:
        return same_id.file
    # An admin fixing a bank that was refused sends it back under its own name.
    same_name = f"{QUIZ_DIR}/{PurePosixPath(file_name).name}"
    if same_name.endswith(".yaml") and any(p.file == same_name for p in current.problems):
        return same_name
    return f"{QUIZ_DIR}/{bank_id}.yaml"


def _staged_configuration(
    config_dir: Path, target: str, text: str, file_name: str
) -> Configuration:
    """The configuration as it would be with `text` at `target`; a `UserError` if refused."""
    with tempfile.TemporaryDirectory(prefix="bot-config-") as folder:
        staging = Path(folder)
        (staging / QUIZ_DIR).mkdir()
        current = [config_dir / SCHEDULES_FILE, *(config_dir / QUIZ_DIR).glob("*.y*ml")]
        for source in current:
            if source.is_file():
                shutil.copyfile(source, staging / source.relative_to(config_dir))
        (staging / target).write_text(text, encoding="utf-8")
        try:
            return load_configuration(staging)
        except ConfigErrors as errors:
            raise _refused(file_name, errors.problems) from errors


def _write_with_backup(config_dir: Path, target: str, text: str, now: datetime) -> str | None:
    path = config_dir / target
    backup: str | None = None
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return None  # the same file again (a replayed upload): nothing to write or keep
    if path.exists():
        folder = path.parent / BACKUP_DIR
        folder.mkdir(exist_ok=True)
        stamp = f"{now:%Y%m%d-%H%M%S}"
        kept = folder / f"{path.name}.{stamp}"
        number = 1
        while kept.exists():  # two files within the same second
            number += 1
            kept = folder / f"{path.name}.{stamp}-{number}"
        shutil.copy2(path, kept)
        backup = kept.relative_to(config_dir).as_posix()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text)
    return backup
