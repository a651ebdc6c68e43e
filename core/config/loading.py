"""All the YAML the bot reads, loaded and validated together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.config.agency import SCHEDULES_FILE, AgencyConfig, load_agency_config
from core.config.banks import BankSet, load_banks
from core.config.regulations import load_regulations, superseded_citations
from core.config.schedules import QuizAction
from core.config.yaml_loader import ConfigErrors, ConfigProblem, Field, load_yaml

QUIZ_DIR = "quizzes"


@dataclass(frozen=True)
class Configuration:
    """The admins' configuration as the running bot uses it."""

    agency: AgencyConfig
    banks: BankSet = field(default_factory=BankSet)
    # Problems the bot starts despite: refused banks, quiz schedules naming no loaded bank.
    warnings: tuple[ConfigProblem, ...] = ()
    # Questions to check against a revised regulation (core/config/regulations.py).
    reminders: tuple[ConfigProblem, ...] = ()


def load_configuration(config_dir: Path) -> Configuration:
    """Load every YAML file; raise `ConfigErrors` for schedules.yaml, refuse only broken banks."""
    agency = load_agency_config(config_dir)
    banks = load_banks(config_dir / QUIZ_DIR, QUIZ_DIR)
    warnings = [*banks.problems, *quiz_schedule_problems(config_dir, agency, banks)]
    try:
        regulations = load_regulations(config_dir / QUIZ_DIR, QUIZ_DIR)
    except ConfigErrors as errors:
        regulations = {}
        warnings.extend(errors.problems)
    reminders = superseded_citations(banks, regulations)
    return Configuration(agency, banks, tuple(sorted(warnings)), tuple(reminders))


def check_configuration(
    config_dir: Path,
) -> tuple[list[str], list[ConfigProblem], list[ConfigProblem]]:
    """Validate every YAML file: (one summary line per good file, every problem found, the
    questions to check against a revised regulation)."""
    try:
        configuration = load_configuration(config_dir)
    except ConfigErrors as errors:
        banks = load_banks(config_dir / QUIZ_DIR, QUIZ_DIR)
        return bank_summaries(banks), sorted([*errors.problems, *banks.problems]), []
    agency = configuration.agency
    summaries = [
        f"{SCHEDULES_FILE}: {len(agency.branches)} 个支部，{len(agency.schedules)} 个推送计划"
    ]
    summaries += bank_summaries(configuration.banks)
    return summaries, list(configuration.warnings), list(configuration.reminders)


def bank_summaries(banks: BankSet) -> list[str]:
    """One line per loaded bank: its file, id, title and question count."""
    return [
        f"{bank.file}: 题库 {bank.id}（{bank.title}），{len(bank.questions)} 道题"
        for bank in banks.banks
    ]


def quiz_schedule_problems(
    config_dir: Path, agency: AgencyConfig, banks: BankSet
) -> list[ConfigProblem]:
    """`quiz:` schedules whose `bank` is neither a loaded bank's id nor any question's tag."""
    known = {bank.id for bank in banks.banks} | banks.tags()
    unknown = {
        schedule.id: schedule.action.bank
        for schedule in agency.schedules
        if isinstance(schedule.action, QuizAction) and schedule.action.bank not in known
    }
    if not unknown:
        return []
    # Read the file again only now, for the line numbers of the few entries at fault.
    root = Field.root(SCHEDULES_FILE, load_yaml(config_dir / SCHEDULES_FILE, SCHEDULES_FILE))
    loaded = "、".join(bank.id for bank in banks.banks) or "（无）"
    for item in root.child("schedules").sequence(required=False):
        bank = unknown.get(str(item.child("id").value))
        if bank is not None:
            item.child("quiz").child("bank").error(
                f"题库 '{bank}' 不存在：既不是已加载题库的 id，也不是任何题目的标签"
                f"（已加载的题库：{loaded}）"
            )
    return root.problems
