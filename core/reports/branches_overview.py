"""/branches as text that fits Telegram: one message while the agency is small, else a
summary and numbered pages.

A message holds at most 4,096 characters; a branch's line is about 60, so past some 60
branches the one message of small agencies would be refused (`Message is too long`). Then
the admin gets the figures that matter first (how many branches are bound, paused, past
their term; the month's leaders) and the whole list in pages turned with buttons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from core import messages
from core.config.branches import Branch
from core.scheduling.term_reminders import overdue
from core.store.records import Binding

MESSAGE_LIMIT = 4_096
PAGE_CHARS = 3_000  # a page's lines; its heading and the buttons come on top
TOP_RANKED = 10


@dataclass(frozen=True)
class BranchLine:
    """One branch as /branches lists it."""

    branch: Branch
    text: str
    bound: bool
    paused: bool
    term_overdue: bool


@dataclass(frozen=True)
class BranchesOverview:
    """What /branches sends: `summary` (None when everything fits one message), then the
    pages; the paused branches get a 恢复推送 button under the first message."""

    summary: str | None
    pages: tuple[str, ...]
    paused: tuple[Branch, ...]

    def page(self, number: int) -> str:
        """Page `number` (1-based), the last one for a number past the end."""
        return self.pages[max(1, min(number, len(self.pages))) - 1]


def branch_line(
    branch: Branch,
    binding: Binding | None,
    members: int,
    compliance: tuple[int, int],
    paused: bool,
    today: date,
) -> BranchLine:
    """A branch's group, roster size, quarter's meetings (met/needed), term and pushes."""
    late = overdue(branch, today)
    mark = messages.BRANCHES_PAUSED if paused else ""
    if binding is None:
        text = messages.BRANCHES_UNBOUND.format(name=branch.name, branch_id=branch.id) + mark
        return BranchLine(branch, text, False, paused, late)
    met, needed = compliance
    text = (
        messages.BRANCHES_BOUND.format(
            name=branch.name, branch_id=branch.id, chat=binding.chat_title, members=members
        )
        + messages.CADENCE_COMPLIANCE.format(met=met, needed=needed)
        + (messages.TERM_OVERDUE.format(end=f"{branch.term_ends:%Y-%m-%d}") if late else "")
        + mark
    )
    return BranchLine(branch, text, True, paused, late)


def overview(
    lines: Sequence[BranchLine], ranking_lines: Sequence[str], ranking_header: str
) -> BranchesOverview:
    """The one message, or the summary and the pages (`ranking_lines` ranked first)."""
    header = messages.BRANCHES_HEADER.format(count=len(lines))
    paused = tuple(line.branch for line in lines if line.paused)
    body = [line.text for line in lines] + ["", ranking_header, *ranking_lines]
    whole = "\n".join([header, *body])
    if len(whole) <= MESSAGE_LIMIT:
        return BranchesOverview(None, (whole,), paused)
    chunks = _chunks(body, PAGE_CHARS)
    pages = tuple(
        "\n".join([messages.BRANCHES_PAGE.format(page=n, pages=len(chunks)), *chunk])
        for n, chunk in enumerate(chunks, start=1)
    )
    return BranchesOverview(
        _summary(lines, ranking_lines, ranking_header, len(pages)), pages, paused
    )


def _summary(
    lines: Sequence[BranchLine], ranking_lines: Sequence[str], ranking_header: str, pages: int
) -> str:
    counts = messages.BRANCHES_SUMMARY.format(
        count=len(lines),
        bound=sum(line.bound for line in lines),
        unbound=sum(not line.bound for line in lines),
        paused=sum(line.paused for line in lines),
        overdue=sum(line.term_overdue for line in lines),
    )
    top = [messages.BRANCHES_TOP.format(header=ranking_header, count=TOP_RANKED)]
    top += ranking_lines[:TOP_RANKED]
    return "\n".join([counts, "", *top, "", messages.BRANCHES_PAGES_FOLLOW.format(pages=pages)])


def _chunks(lines: Sequence[str], limit: int) -> list[list[str]]:
    """The lines in consecutive chunks of at most `limit` characters (a blank line never
    starts a chunk)."""
    chunks: list[list[str]] = [[]]
    size = 0
    for line in lines:
        if chunks[-1] and size + len(line) + 1 > limit:
            chunks.append([])
            size = 0
        if line or chunks[-1]:
            chunks[-1].append(line)
            size += len(line) + 1
    return chunks
