"""All the YAML the bot reads, loaded and validated together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.agency import AgencyConfig, load_agency_config
from core.yaml_source import ConfigErrors, ConfigProblem


@dataclass(frozen=True)
class Configuration:
    """The admins' configuration as the running bot uses it."""

    agency: AgencyConfig


def load_configuration(config_dir: Path) -> Configuration:
    """Load every YAML file; raise `ConfigErrors` with all problems of all files."""
    return Configuration(agency=load_agency_config(config_dir))


def check_configuration(config_dir: Path) -> tuple[list[str], list[ConfigProblem]]:
    """Validate every YAML file: (one summary line per good file, every problem found)."""
    try:
        configuration = load_configuration(config_dir)
    except ConfigErrors as errors:
        return [], errors.problems
    agency = configuration.agency
    return [f"schedules.yaml: {len(agency.branches)} 个支部"], []
