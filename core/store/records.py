"""Plain records the store hands out; nothing here touches disk or Telegram.

Their documents (`core.store.documents`) are their fields, but for a person's: the
user id is the document's id, and the memberships are keyed by branch, in branch order;
and a study task's 学习要点 are written only when it has some.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cattrs.gen import override

from core.store.documents import converter, declare


@dataclass(frozen=True)
class Binding:
    """A branch's group chat."""

    branch_id: str
    chat_id: int
    chat_title: str
    bound_at: datetime


@dataclass(frozen=True)
class Membership:
    """One person's place on one branch's roster; kept after they leave, as history."""

    branch_id: str
    active: bool
    since: datetime
    left_at: datetime | None = None


@dataclass(frozen=True)
class Person:
    """Someone the bot has seen, with every branch roster they are on."""

    user_id: int
    display_name: str
    username: str | None = None
    real_name: str | None = None
    private_chat: bool = False
    memberships: tuple[Membership, ...] = ()

    @property
    def report_name(self) -> str:
        """The name to use in reports: the real name set by /join, else the Telegram name."""
        return self.real_name or self.display_name

    def membership(self, branch_id: str) -> Membership | None:
        """This person's membership of a branch, active or not."""
        return next((m for m in self.memberships if m.branch_id == branch_id), None)

    def is_active_in(self, branch_id: str) -> bool:
        """Whether this person is currently on the branch's roster."""
        membership = self.membership(branch_id)
        return membership is not None and membership.active

    def with_membership(self, membership: Membership) -> Person:
        """A copy with `membership` replacing any earlier one for the same branch."""
        others = tuple(m for m in self.memberships if m.branch_id != membership.branch_id)
        return replace(self, memberships=(*others, membership))


@dataclass(frozen=True)
class Event:
    """Something that happened in a branch, kept for participation records (台账)."""

    kind: str
    branch_id: str | None
    at: datetime
    user_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PushRecord:
    """What happened to one planned push; its existence means the push was handled."""

    key: str
    schedule_id: str
    branch_id: str
    nominal: datetime
    actual: datetime
    status: str  # sending | sent | uncertain | missed | failed | unbound | paused
    updated_at: datetime
    chat_id: int | None = None
    message_id: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class StudyTask:
    """A theory-study task pushed to one branch group, with who has finished it."""

    id: str
    push_key: str
    branch_id: str
    chat_id: int
    title: str
    body: str
    link: str | None
    assigned_at: datetime
    due_at: datetime
    remind_at: datetime | None
    message_id: int | None = None
    done: dict[int, datetime] = field(default_factory=dict)
    reminded: bool = False
    summarized: bool = False
    shown_done: int = -1  # the count the group message shows; differs from len(done) when stale
    points: tuple[str, ...] = ()  # 学习要点 (left out of the document when there are none)

    def is_done_by(self, user_id: int) -> bool:
        """Whether this member pressed 学完了."""
        return user_id in self.done


def _memberships_document(memberships: tuple[Membership, ...]) -> dict[str, Any]:
    ordered = sorted(memberships, key=lambda m: m.branch_id)
    return {m.branch_id: converter.unstructure(m) for m in ordered}


def _memberships_from_document(
    document: Mapping[str, Mapping[str, Any]], _: type
) -> tuple[Membership, ...]:
    return tuple(
        converter.structure({"branch_id": branch_id, **membership}, Membership)
        for branch_id, membership in document.items()
    )


declare(Membership, unwritten=["branch_id"])
declare(
    Person,
    unwritten=["user_id"],
    memberships=override(
        unstruct_hook=_memberships_document, struct_hook=_memberships_from_document
    ),
)
# Tasks without 学习要点 keep the document they had before there were any.
declare(StudyTask, points=override(omit_if_default=True))
