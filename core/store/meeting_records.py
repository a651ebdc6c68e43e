"""What the store keeps of a branch's meetings (三会一课, 主题党日), recorded from the chat.

A meeting lives in the file of its month (`data/meetings/<YYYY-MM>.json`, from its id,
which starts with the month of its date), one document each, changed in one step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from core.store.documents import declare

# The kinds, in the order of 《中国共产党支部工作条例（试行）》 and of the buttons.
MEETING_KINDS = ("支部党员大会", "支部委员会会议", "党小组会", "党课", "主题党日")
# How often a kind must be held, as schedules.yaml writes it (`cadence:`).
CADENCE_WORDS = ("每月", "每季度", "不要求")
MONTHLY, QUARTERLY, NOT_REQUIRED = CADENCE_WORDS
# 《中国共产党支部工作条例（试行）》: 党员大会 and 党课 quarterly, the others monthly.
DEFAULT_CADENCE = {
    "支部党员大会": QUARTERLY,
    "支部委员会会议": MONTHLY,
    "党小组会": MONTHLY,
    "党课": QUARTERLY,
    "主题党日": MONTHLY,
}
# The fields a correction may change by a reply (补签到 is a button).
TOPIC, HOST = "主题", "主持人"
# draft (kind and date chosen, topic asked) → open (签到 running) → closed (the record).
DRAFT, OPEN, CLOSED = "draft", "open", "closed"


@dataclass(frozen=True)
class Attendance:
    """A member's answer to the 签到 message: present, or excused with a reason."""

    at: datetime
    leave: str | None = None  # None: 签到 (present); else the reason of 请假


@dataclass(frozen=True)
class Attachment:
    """A photo or file sent as a reply to the 签到 message."""

    file_id: str
    kind: str  # photo | document
    by: int
    at: datetime
    size: int = 0
    saved: str | None = None  # its copy under data/meetings/files/, if downloaded


@dataclass(frozen=True)
class Correction:
    """One change to a closed record: who changed which field from what to what, when."""

    by: int
    at: datetime
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Meeting:
    """One meeting of a branch, from the secretary's first press to its record."""

    id: str
    branch_id: str
    kind: str
    day: date
    chat_id: int
    created_by: int
    created_at: datetime
    status: str = DRAFT
    topic: str = ""
    host: str = ""  # 主持人, the secretary who recorded it unless corrected
    prompt_id: int | None = None  # the message that asked for the topic (a draft's)
    message_id: int | None = None  # the 签到 message
    closes_at: datetime | None = None
    attendance: dict[int, Attendance] = field(default_factory=dict)
    expected: tuple[str, ...] = ()  # 应到 at the close: names of the members not on leave
    absent: tuple[str, ...] = ()  # 缺席 at the close
    attachments: tuple[Attachment, ...] = ()
    corrections: tuple[Correction, ...] = ()
    late_present: tuple[str, ...] = ()  # 缺席 at the close, marked 实到 by a correction
    # The questions asked for a corrected topic or host: message id → TOPIC or HOST.
    edit_prompts: dict[int, str] = field(default_factory=dict)

    def present(self) -> list[int]:
        """Who signed in."""
        return [user_id for user_id, a in self.attendance.items() if a.leave is None]

    def excused(self) -> dict[int, str]:
        """Who asked for leave, with the reason."""
        return {user_id: a.leave for user_id, a in self.attendance.items() if a.leave}


declare(Meeting)
