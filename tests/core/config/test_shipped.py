"""An upgrade brings the release's new and updated YAML, and never undoes an agency's edit."""

from __future__ import annotations

from pathlib import Path

from core.config.shipped import sync_shipped


def release(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def test_an_upgrade_adds_and_updates_but_keeps_what_the_agency_changed(tmp_path: Path) -> None:
    config = tmp_path / "config"
    first = release(tmp_path / "v1", {"schedules.yaml": "v1", "quizzes/a.yaml": "a1"})
    synced = sync_shipped(first, config)
    assert synced.added == ("quizzes/a.yaml", "schedules.yaml")
    assert (config / "quizzes" / "a.yaml").read_text() == "a1"

    (config / "schedules.yaml").write_text("the agency's branches")  # an admin's edit
    (config / "quizzes" / "own.yaml").write_text("the agency's own bank")
    second = release(
        tmp_path / "v2",
        {"schedules.yaml": "v2", "quizzes/a.yaml": "a2", "quizzes/b.yaml": "b2"},
    )
    synced = sync_shipped(second, config)
    assert synced.added == ("quizzes/b.yaml",)
    assert synced.updated == ("quizzes/a.yaml",)
    assert synced.kept == ("schedules.yaml",)
    assert (config / "schedules.yaml").read_text() == "the agency's branches"
    assert (config / "quizzes" / "a.yaml").read_text() == "a2"
    assert (config / "quizzes" / "own.yaml").read_text() == "the agency's own bank"

    again = sync_shipped(second, config)  # the next start changes nothing
    assert (again.added, again.updated, again.kept) == ((), (), ("schedules.yaml",))


def test_a_file_the_release_stops_shipping_stays(tmp_path: Path) -> None:
    config = tmp_path / "config"
    sync_shipped(release(tmp_path / "v1", {"quizzes/old.yaml": "old"}), config)
    sync_shipped(release(tmp_path / "v2", {"quizzes/new.yaml": "new"}), config)
    assert (config / "quizzes" / "old.yaml").read_text() == "old"


def test_a_shipped_file_the_agency_deleted_stays_deleted(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shipped = release(tmp_path / "v1", {"quizzes/a.yaml": "a1"})
    sync_shipped(shipped, config)
    (config / "quizzes" / "a.yaml").rename(config / "quizzes" / "ours.yaml")
    assert sync_shipped(release(tmp_path / "v2", {"quizzes/a.yaml": "a2"}), config).added == ()
    assert not (config / "quizzes" / "a.yaml").exists()
