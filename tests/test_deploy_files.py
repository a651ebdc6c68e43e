"""The Dockerfile and compose.yaml say what docs/deploy.md promises (no Docker here to
build them: these read the files)."""

from __future__ import annotations

import re

import yaml

from tests.conftest import PROJECT

DOCKERFILE = (PROJECT / "Dockerfile").read_text()


def test_the_image_is_pinned_runs_unprivileged_and_checks_its_health() -> None:
    (base,) = re.findall(r"^FROM (\S+)", DOCKERFILE, re.M)
    assert re.fullmatch(r"python:3\.11-slim-(bookworm|trixie)", base)  # a Debian release
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*bot\.py\", \"health\"", DOCKERFILE, re.M)
    assert '"/app/data"' in DOCKERFILE and '"/app/config"' in DOCKERFILE
    assert "BOT_SHIPPED_CONFIG_DIR=/app/shipped" in DOCKERFILE


def test_every_file_the_image_copies_exists() -> None:
    for line in re.findall(r"^COPY (.+)$", DOCKERFILE, re.M):
        *sources, _ = line.split()
        for source in sources:
            assert (PROJECT / source).exists(), source


def test_compose_restarts_the_bot_and_keeps_data_and_config_on_volumes() -> None:
    compose = yaml.safe_load((PROJECT / "compose.yaml").read_text())
    bot = compose["services"]["bot"]
    assert bot["restart"] in ("unless-stopped", "always")
    assert bot["healthcheck"]["test"] == ["CMD", "python", "bot.py", "health"]
    mounts = {volume.split(":")[1] for volume in bot["volumes"]}
    assert mounts == {"/app/data", "/app/config"}
    assert set(compose["volumes"]) == {v.split(":")[0] for v in bot["volumes"]}
