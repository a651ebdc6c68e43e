"""The bot's persistent state: the one class that reads and writes `data/`.

Layout (all JSON, all written atomically through `AtomicJSONStorage`):

    data/state.json                          bindings, paused branches, last nudges (small)
    data/people/07.json                      the people whose user id ends in 07
    data/events/2026-11/<branch>/22.json     events of one branch on one local day
    data/pushes/2026-11/<branch>.json        what became of a branch's pushes of a month
    data/quiz/members/<user_id>.json         one member's quiz session, progress and outbox
    data/quiz/group/2026-11/<quiz_id>.json   one group quiz, with its answers, but for
    data/quiz/group/2026-11/<quiz_id>.answers.jsonl  poll answers appended since
    data/rosters/<branch>.json               a branch's 名单, leave and roll call
    data/meetings/2026-11.json               the meetings held in a month (三会一课, 主题党日)
    data/updates_in_flight.json              updates being handled (the crash-loop guard)

Events are sharded by branch and day so the cost of recording one depends on
that day's activity, never on the history. Every method, readers too (the ledger
reads from a worker thread while the event loop writes), runs under one lock (which also
keeps `python bot.py backup` from snapshotting mid-operation: core/store/store_lock.py), and
writes synchronously before returning, so a caller that got a return value may
acknowledge the action to the user: it is on disk. A process-wide file lock
keeps a second bot process off the same data directory.

`Store(..., read_only=True)` (for `python bot.py export`) takes no lock and can
never write: every file is replaced atomically, so it may read while the bot runs.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from tinydb import TinyDB
from tinydb.table import Table

from core.clock import Clock, system_clock
from core.errors import DataFileError
from core.store.answer_log import (
    added_answers,
    append_answers,
    drop_log,
    log_path,
    read_answers,
    with_logged,
)
from core.store.answer_tally import AnswerTally
from core.store.atomic_files import (
    TEMP_SUFFIX,
    AtomicJSONStorage,
    ReadOnlyJSONStorage,
    read_json_file,
    write_atomically,
)
from core.store.documents import converter
from core.store.keyed_table import FileIndex, KeyedTable, put
from core.store.meeting_records import CLOSED, Meeting
from core.store.people_files import PeopleFiles
from core.store.push_files import PUSHES_DIR, PushFiles
from core.store.quiz_records import UNFINISHED_STATUSES, GroupQuiz, MemberQuizState
from core.store.quiz_sessions import ANSWER_EVENT_KIND, AnswerRecord
from core.store.records import Binding, Event, Person, PushRecord, StudyTask
from core.store.roster_records import BranchRoster
from core.store.store_lock import SNAPSHOT_LOCK_FILE, StoreLock

STATE_FILE = "state.json"
SCHEDULER_FILE = "scheduler.json"
HEARTBEAT = "heartbeat"  # the scheduler file's table of the last round's moment
PUSH_ROUND = "push_round"  # ... and of the last round outside quiet hours
UPDATES_FILE = "updates_in_flight.json"  # handlers/polling.py's crash-loop guard
EVENTS_DIR = "events"
TASKS_DIR = "tasks"
QUIZ_MEMBERS_DIR = "quiz/members"
QUIZ_GROUP_DIR = "quiz/group"
ROSTERS_DIR = "rosters"
MEETINGS_DIR = "meetings"
ROSTER_DOC = 1  # a branch's roster is one document in a file of its own
LOCK_FILE = ".lock"
UNAFFILIATED = "_none"
SHARD_SUFFIX = ".json"
OPEN_SHARDS = 16
TALLY_MONTHS = 2  # answer tallies kept: this month's and one other
# The tasks of the four months a task may still be open in (and a report counts points
# from), a quarter's meetings (/branches) and one more. An agency's month of tasks is 8 MB
# parsed; parsing it holds the event loop up (json.loads keeps the GIL: 0.2 s at L), so the
# months a round, /branches or an /export reads are read at start, before the loop runs,
# and kept.
OPEN_MONTH_FILES = 8
LEGACY_PEOPLE_TABLE = "people"  # state.json's, before people/ (core/store/people_files.py)
BINDINGS_DOC = 1  # all bindings live in one document so that each change is one write
NUDGES_DOC = 1  # the last 提醒未完成 of every branch, one document
PAUSED_DOC = 1  # the branches whose pushes an admin paused, one document
MONTHLY_FOLDERS = (EVENTS_DIR, PUSHES_DIR)  # and QUIZ_GROUP_DIR: one subfolder per month
EMPTY_OUTBOX = b'"outbox":[]'  # as the converter writes it (compact separators)
MEMBER_QUIZ_DOC = 1  # a member's whole quiz state is one document: one write per answer
ANSWER_ID = "answer_id"  # the dedup key of an answer event, in its data
# A group quiz is open at most 168 hours, so an unfinished one started this month or last.
GROUP_QUIZ_MONTHS = 2
GROUP_QUIZ_DOC = 1  # a group quiz is one document in a file of its own
Result = TypeVar("Result")


class Store:
    """Owns TinyDB; every read and write of the bot's records goes through here."""

    def __init__(
        self,
        data_dir: Path,
        timezone: ZoneInfo,
        *,
        read_only: bool = False,
        clock: Clock | None = None,
    ) -> None:
        """`clock` says which month's files to check at start (the system clock if None)."""
        self._dir = data_dir
        self._timezone = timezone
        self._read_only = read_only
        self._storage = ReadOnlyJSONStorage if read_only else AtomicJSONStorage
        self._lock_handle = None
        self._now = (clock or system_clock(timezone))()  # which months' files to look at
        if read_only:
            check_holds_store(self._dir)
        else:
            self._dir.mkdir(parents=True, exist_ok=True)
            self._lock_handle = acquire_process_lock(self._dir / LOCK_FILE)
            _remove_stale_temp_files(self._dir, self._now.astimezone(timezone))
        self._lock = StoreLock(None if read_only else self._dir / SNAPSHOT_LOCK_FILE)
        self._state = TinyDB(self._dir / STATE_FILE, storage=self._storage)
        self._scheduler = TinyDB(self._dir / SCHEDULER_FILE, storage=self._storage)
        self._people = PeopleFiles(self._dir, self._storage, read_only=read_only)
        self._shards: OrderedDict[Path, TinyDB] = OrderedDict()
        self._month_files: OrderedDict[Path, TinyDB] = OrderedDict()
        self._rosters: dict[str, BranchRoster] = {}  # as stored (a writable store's alone)
        self._open_tasks: dict[str, list[StudyTask]] = {}  # by month, see open_study_tasks
        self._pushes = PushFiles(self._dir, self._storage, read_only=read_only)
        self._group_quizzes: _GroupQuizIndex | None = None
        self._quizzes: OrderedDict[str, GroupQuiz] = OrderedDict()  # as stored, recent ones
        self._branch_versions: dict[str, int] = {}  # see branch_version
        self._tallies: dict[tuple[str, str], AnswerTally] = {}  # (branch, month), see answer_tally
        self._bindings_kept: dict[str, Binding] | None = None
        self._key_index: dict[Path, FileIndex] = {}  # see core/store/keyed_table.py
        self._check_readable(self._now)

    def close(self) -> None:
        """Release every file; the store is unusable afterwards."""
        with self._lock:
            for shard in [*self._shards.values(), *self._month_files.values()]:
                shard.close()
            self._shards.clear()
            self._month_files.clear()
            self._state.close()
            self._scheduler.close()
            self._people.close()
            self._pushes.close()
            if self._lock_handle is not None:
                self._lock_handle.close()
        self._lock.close()

    # --- bindings -------------------------------------------------------

    def bind(self, binding: Binding) -> None:
        """Bind a branch to a chat, replacing any earlier binding of either, in one write."""
        with self._lock:
            bindings = {
                b.branch_id: b
                for b in self.bindings()
                if b.branch_id != binding.branch_id and b.chat_id != binding.chat_id
            }
            bindings[binding.branch_id] = binding
            self._save_bindings(bindings.values())

    def unbind(self, branch_id: str) -> Binding | None:
        """Remove a branch's binding; return what it was."""
        with self._lock:
            binding = self.binding_for_branch(branch_id)
            if binding is not None:
                self._save_bindings(b for b in self.bindings() if b.branch_id != branch_id)
            return binding

    def move_binding(self, old_chat_id: int, new_chat_id: int) -> Binding | None:
        """Follow a group that became a supergroup; return the updated binding."""
        with self._lock:
            binding = self.binding_for_chat(old_chat_id)
            if binding is None:
                return None
            moved = Binding(binding.branch_id, new_chat_id, binding.chat_title, binding.bound_at)
            self.bind(moved)
            return moved

    def binding_for_chat(self, chat_id: int) -> Binding | None:
        """The binding of a chat, if it is a branch group."""
        with self._lock:
            return next((b for b in self._bindings().values() if b.chat_id == chat_id), None)

    def binding_for_branch(self, branch_id: str) -> Binding | None:
        """The binding of a branch, if it has a group."""
        with self._lock:
            return self._bindings().get(branch_id)

    def bindings(self) -> list[Binding]:
        """Every current binding."""
        with self._lock:
            return list(self._bindings().values())

    def _bindings(self) -> dict[str, Binding]:
        # Read once and kept: a round asks for the binding of every push it sends (500
        # groups: 250,000 bindings structured a round, were they read each time).
        if self._bindings_kept is None:
            doc = self._state.table("bindings").get(doc_id=BINDINGS_DOC)
            values = doc.values() if isinstance(doc, dict) else []
            found = (converter.structure(value, Binding) for value in values)
            self._bindings_kept = {binding.branch_id: binding for binding in found}
        return self._bindings_kept

    def _save_bindings(self, bindings: Iterable[Binding]) -> None:
        doc = {b.branch_id: converter.unstructure(b) for b in bindings}
        self._bindings_kept = None  # read again from what is written (or, failed, was)
        put(self._state.table("bindings"), BINDINGS_DOC, doc)

    # --- people -----------------------------------------------------------

    def person(self, user_id: int) -> Person | None:
        """Someone the bot has seen, by Telegram user id."""
        with self._lock:
            return self._people.person(user_id)

    def save_person(self, person: Person) -> None:
        """Write a person record, unless it is unchanged (most updates change nothing)."""
        with self._lock:
            before = self._people.person(person.user_id)
            self._people.save(person)
            if before != person:
                before_in = [m.branch_id for m in before.memberships] if before else []
                self._touched(*before_in, *(m.branch_id for m in person.memberships))

    def people(self) -> list[Person]:
        """Everyone the bot has seen, by user id."""
        with self._lock:
            return self._people.people()

    def branch_people(self, branch_id: str) -> list[Person]:
        """Everyone on the branch's roster now or before (a branch's share of `people`)."""
        with self._lock:
            return self._people.of_branch(branch_id)

    # --- branch rosters (名单, leave, roll call) ---------------------------

    def branch_roster(self, branch_id: str) -> BranchRoster:
        """A branch's 名单, leave and roll call (empty for a branch that has none); kept
        once read (a round asks for every branch's)."""
        with self._lock:
            kept = self._rosters.get(branch_id)
            if kept is not None:
                return kept
            doc = self._roster_table(branch_id).get(doc_id=ROSTER_DOC)
            if not isinstance(doc, dict):
                roster = BranchRoster(branch_id)
            else:
                roster = converter.structure({**doc, "branch_id": branch_id}, BranchRoster)
            if not self._read_only:  # another process writes what a read-only store reads
                self._rosters[branch_id] = roster
            return roster

    def change_branch_roster(
        self, branch_id: str, change: Callable[[BranchRoster], tuple[BranchRoster | None, Result]]
    ) -> Result:
        """Read, change and write a branch's roster in one step (see `change_study_task`)."""
        with self._lock:
            changed, result = change(self.branch_roster(branch_id))
            if changed is not None:
                self._rosters.pop(branch_id, None)  # read again from what is written
                put(self._roster_table(branch_id), ROSTER_DOC, converter.unstructure(changed))
                self._touched(branch_id)
            return result

    # --- meetings -----------------------------------------------------------

    def add_meeting(self, meeting: Meeting) -> Meeting:
        """Store a new meeting; one already stored under its id is kept and returned."""
        with self._lock:
            return self._meeting_table(meeting.id).add_keeping(meeting, Meeting)

    def meeting(self, meeting_id: str) -> Meeting | None:
        """A meeting by id (the id names its month, so one small file is read)."""
        if _task_month(meeting_id) is None:
            return None
        with self._lock:
            doc = self._meeting_table(meeting_id).get(meeting_id)
        return converter.structure(doc, Meeting) if isinstance(doc, dict) else None

    def change_meeting(
        self, meeting_id: str, change: Callable[[Meeting], tuple[Meeting | None, Result]]
    ) -> Result | None:
        """Read, change and write one meeting in one step (see `change_study_task`)."""
        if _task_month(meeting_id) is None:
            return None
        with self._lock:
            return self._meeting_table(meeting_id).change_one(meeting_id, Meeting, change)

    def save_meeting_file(self, meeting_id: str, name: str, content: bytes) -> str:
        """Keep a copy of a meeting's attachment; return its path relative to `data/`."""
        safe = "".join(c for c in name if c.isalnum() or c in "._-")[-60:] or "file"
        with self._lock:
            folder = self._folder(self._dir / MEETINGS_DIR / "files" / meeting_id)
            write_atomically(folder / safe, content)
        return str((folder / safe).relative_to(self._dir))

    def meetings_of_month(self, month: datetime) -> list[Meeting]:
        """Every meeting whose date is in the month of `month`."""
        with self._lock:
            docs = self._month_file(MEETINGS_DIR, month).table("meetings").all()
        return [converter.structure(doc, Meeting) for doc in docs]

    def unclosed_meetings(self, now: datetime) -> list[Meeting]:
        """Meetings of this month and the last not closed yet (drafts and 签到 running)."""
        months = [_shift_month(now.astimezone(self._timezone), -back) for back in range(2)]
        return [
            meeting
            for month in months
            for meeting in self.meetings_of_month(month)
            if meeting.status != CLOSED
        ]

    # --- events -----------------------------------------------------------

    def record_event(self, event: Event) -> None:
        """Append an event to its branch-and-day shard; on return it is on disk."""
        with self._lock:
            day = event.at.astimezone(self._timezone).date()
            document = converter.unstructure(event)
            self._shard(event.branch_id, day).table("events").insert(document)
            self._count_answers(event.branch_id, day, [document])
            self._touched(event.branch_id)

    def record_events(self, events: Iterable[Event]) -> int:
        """Append many events (an import, a benchmark): one write per shard touched."""
        by_shard: dict[tuple[str | None, date], list[dict[str, Any]]] = {}
        for event in events:
            key = (event.branch_id, event.at.astimezone(self._timezone).date())
            by_shard.setdefault(key, []).append(converter.unstructure(event))
        with self._lock:
            for (branch_id, day), docs in by_shard.items():
                self._shard(branch_id, day).table("events").insert_multiple(docs)
                self._count_answers(branch_id, day, docs)
                self._touched(branch_id)
        return sum(len(docs) for docs in by_shard.values())

    def events(self, branch_id: str | None, month: str) -> Iterator[Event]:
        """Every event of a branch in a month ("YYYY-MM"), oldest first."""
        branch_dir = self._dir / EVENTS_DIR / month / (branch_id or UNAFFILIATED)
        if not branch_dir.is_dir():
            return
        for path in sorted(branch_dir.glob("*.json")):
            with self._lock:
                docs = self._open_shard(path).table("events").all()
            for doc in docs:
                yield converter.structure(doc, Event)

    def answers(self, branch_id: str, month: str) -> list[AnswerRecord]:
        """The quiz answers among a branch's events of a month ("YYYY-MM"), oldest day first.

        /branches asks this of every branch: the answers are built straight from the
        shards' documents, other events passed over (a third of the cost of `events`)."""
        branch_dir = self._dir / EVENTS_DIR / month / branch_id
        if not branch_dir.is_dir():
            return []
        found = []
        for path in sorted(branch_dir.glob("*.json")):
            with self._lock:
                stored = self._open_shard(path).storage.read() or {}
            for doc in stored.get("events", {}).values():
                if _is_answer(doc):
                    at = converter.structure(doc["at"], datetime)
                    user_id = doc["user_id"]
                    found.append(AnswerRecord.from_parts(doc["data"], user_id, branch_id, at))
        return found

    def answer_tally(self, branch_id: str, month: str) -> AnswerTally:
        """A branch's quiz answers of a month ("YYYY-MM") counted (core/store/answer_tally.py):
        read from its shards the first time, then kept and counted on as answers are
        recorded. A copy: later answers leave it alone."""
        key = (branch_id, month)
        with self._lock:
            tally = self._tallies.get(key)
            if tally is None:
                tally = AnswerTally()
                year, month_number = map(int, month.split("-"))
                folder = self._dir / EVENTS_DIR / month / branch_id
                for name in os.listdir(folder) if folder.is_dir() else []:
                    if name.endswith(SHARD_SUFFIX):  # a shard is a local day: "<dd>.json"
                        day = date(year, month_number, int(name.removesuffix(SHARD_SUFFIX)))
                        documents = read_json_file(folder / name).get("events", {}).values()
                        _count_into(tally, day, documents)
                if not self._read_only:  # another process writes what a read-only store reads
                    self._keep_tally(key, tally)
            return tally.copy()

    def month_events(self, month: str) -> Iterator[Event]:
        """Every event of every branch (and of no branch) in a month ("YYYY-MM")."""
        month_dir = self._dir / EVENTS_DIR / month
        if not month_dir.is_dir():
            return
        for branch_dir in sorted(p for p in month_dir.iterdir() if p.is_dir()):
            branch_id = None if branch_dir.name == UNAFFILIATED else branch_dir.name
            yield from self.events(branch_id, month)

    # --- nudges -------------------------------------------------------------

    def last_nudge(self, branch_id: str) -> datetime | None:
        """When the branch's 提醒未完成 was last sent, if ever."""
        with self._lock:
            doc = self._state.table("nudges").get(doc_id=NUDGES_DOC)
        at = doc.get(branch_id) if isinstance(doc, dict) else None
        return datetime.fromisoformat(at) if at else None

    def set_last_nudge(self, branch_id: str, at: datetime) -> None:
        """Remember that the branch's 提醒未完成 was sent at `at` (survives restarts)."""
        with self._lock:
            table = self._state.table("nudges")
            doc = table.get(doc_id=NUDGES_DOC)
            nudges = dict(doc) if isinstance(doc, dict) else {}
            nudges[branch_id] = at.isoformat()
            put(table, NUDGES_DOC, nudges)

    # --- paused pushes (暂停该支部推送) ------------------------------------------

    def paused_branches(self) -> frozenset[str]:
        """The branches an admin paused the pushes of."""
        with self._lock:
            doc = self._state.table("paused").get(doc_id=PAUSED_DOC)
        return frozenset(doc.get("branches", [])) if isinstance(doc, dict) else frozenset()

    def set_pushes_paused(self, branch_id: str, paused: bool) -> bool:
        """Pause or resume the branch's pushes (survives restarts); whether that changed it."""
        with self._lock:
            was = self.paused_branches()
            now = was | {branch_id} if paused else was - {branch_id}
            put(self._state.table("paused"), PAUSED_DOC, {"branches": sorted(now)})
        return now != was

    # --- scheduler ----------------------------------------------------------

    def last_tick(self) -> datetime | None:
        """When the scheduler last finished a round: the bot was alive until then."""
        return self._scheduler_moment(HEARTBEAT)

    def set_last_tick(self, at: datetime) -> None:
        """Remember that the scheduler finished a round at `at`."""
        self._set_scheduler_moment(HEARTBEAT, at)

    def last_push_round(self) -> datetime | None:
        """When a round last delivered due pushes (rounds inside quiet hours do not); a
        store from before quiet hours has only `last_tick`."""
        return self._scheduler_moment(PUSH_ROUND) or self.last_tick()

    def set_last_push_round(self, at: datetime) -> None:
        """Remember that a round delivered the pushes due at `at`."""
        self._set_scheduler_moment(PUSH_ROUND, at)

    def last_holiday_warning(self) -> datetime | None:
        """When the admins were last told holidays are missing (scheduling/holiday_warning)."""
        return self._scheduler_moment("holiday_warning")

    def set_last_holiday_warning(self, at: datetime) -> None:
        """Remember that the missing-holidays warning went out at `at`."""
        self._set_scheduler_moment("holiday_warning", at)

    def last_unbound_digest(self) -> datetime | None:
        """When the admins last got the digest of pushes no group could take."""
        return self._scheduler_moment("unbound_digest")

    def set_last_unbound_digest(self, at: datetime) -> None:
        """Remember that the digest of undeliverable pushes went out at `at`."""
        self._set_scheduler_moment("unbound_digest", at)

    def _scheduler_moment(self, name: str) -> datetime | None:
        with self._lock:
            return _moment(self._scheduler, name)

    def _set_scheduler_moment(self, name: str, at: datetime) -> None:
        with self._lock:
            put(self._scheduler.table(name), 1, {"at": at.isoformat()})

    # --- updates being handled (handlers/polling.py) ------------------------

    def updates_in_flight(self) -> dict[int, int]:
        """The journal of updates being handled: update id -> earlier unclean exits counted."""
        path = self._dir / UPDATES_FILE
        with self._lock:
            if not path.exists():
                return {}
            updates = read_json_file(path).get("updates")
        try:
            return {int(update_id): int(exits) for update_id, exits in updates.items()}
        except (AttributeError, TypeError, ValueError) as error:
            raise DataFileError(str(path), f"not a journal of updates ({error})") from error

    def save_updates_in_flight(self, updates: dict[int, int]) -> None:
        """Replace the journal, atomically but without fsync (written before every update).

        It must outlive a dying process, which the page cache does; after a power cut it
        may be empty or stale, which puts the guard's count off by one, never a record."""
        text = json.dumps({"updates": {str(u): exits for u, exits in updates.items()}})
        with self._lock:
            write_atomically(self._dir / UPDATES_FILE, text, durable=False)

    def push(self, key: str, nominal: datetime) -> PushRecord | None:
        """The record of a planned push, if it was handled."""
        with self._lock:
            return self._pushes.get(self._month_name(nominal), key)

    def save_push(self, record: PushRecord) -> None:
        """Create or replace a push record (filed under its nominal month and branch)."""
        with self._lock:
            self._pushes.save(self._month_name(record.nominal), record)

    def set_push_status(self, record: PushRecord, status: str, **fields: Any) -> PushRecord:
        """Move the stored push (or `record`, if none is stored yet) to `status`, changing
        only the named fields, in one step; return what is stored now."""
        with self._lock:
            current = self.push(record.key, record.nominal) or record
            updated = replace(current, status=status, **fields)
            self.save_push(updated)
            return updated

    def forget_push(self, record: PushRecord) -> None:
        """Drop a push record, so that the push is tried again."""
        with self._lock:
            self._pushes.forget(self._month_name(record.nominal), record.key)

    def pushes_with_status(self, status: str, month: datetime) -> list[PushRecord]:
        """Push records of one nominal month in a given status."""
        with self._lock:
            return self._pushes.with_status(self._month_name(month), status)

    # --- study tasks ----------------------------------------------------------

    def study_task(self, task_id: str) -> StudyTask | None:
        """A study task by id (the id names its month, so one small file is read)."""
        if _task_month(task_id) is None:
            return None
        with self._lock:
            doc = self._task_table(task_id).get(task_id)
        return converter.structure(doc, StudyTask) if isinstance(doc, dict) else None

    def add_study_task(self, task: StudyTask) -> StudyTask:
        """Store a new task; a task already stored under its id is kept and returned as is
        (a 补发 must not drop the presses made on a first message that did arrive)."""
        with self._lock:
            self._touched(task.branch_id)
            self._open_tasks.pop(_task_month(task.id) or "", None)
            return self._task_table(task.id).add_keeping(task, StudyTask)

    def change_study_task(
        self, task_id: str, change: Callable[[StudyTask], tuple[StudyTask | None, Result]]
    ) -> Result | None:
        """Read, change and write one study task in one step; None if there is no such task.

        The only way to change a stored task. A copy read before an `await` is stale
        after it (members pressed 学完了 meanwhile), so callers say how to change the
        task as stored: `change` returns the task to write (None: write nothing) and
        what to hand back.
        """
        with self._lock:
            table = self._task_table(task_id)
            stored = table.get(task_id)
            if stored is not None:
                self._touched(stored["branch_id"])
                self._open_tasks.pop(_task_month(task_id) or "", None)
            return table.change_one(task_id, StudyTask, change)

    def open_study_tasks(self, now: datetime) -> list[StudyTask]:
        """Tasks not yet summarized, from the months a task can still be open in.

        Every round asks: a month's open tasks are kept once read, until a task of that
        month is added or changed (an agency's month of tasks, kept whole, is 8 MB)."""
        tasks = []
        for months_back in range(4):  # due_days is at most 90
            month = _shift_month(now.astimezone(self._timezone), -months_back)
            with self._lock:
                tasks += self._open_tasks_of(self._month_name(month))
        return tasks

    def _open_tasks_of(self, month: str) -> list[StudyTask]:
        kept = self._open_tasks.get(month)
        if kept is None:
            path = self._dir / TASKS_DIR / f"{month}.json"
            stored = read_json_file(path).get("tasks", {}) if path.exists() else {}
            found = [doc for doc in stored.values() if doc.get("summarized") is False]
            kept = [converter.structure(doc, StudyTask) for doc in found]
            if not self._read_only:  # another process writes what a read-only store reads
                self._open_tasks[month] = kept
        return kept

    def study_tasks_of_month(
        self, month: datetime, branch_id: str | None = None
    ) -> list[StudyTask]:
        """Every task assigned in a month, or only a branch's (found by a kept index: the
        ranking asks for every branch's, and an agency's month holds 2,000 tasks)."""
        with self._lock:
            if branch_id is None:
                docs = self._month_file(TASKS_DIR, month).table("tasks").all()
            else:
                tasks = self._keyed_month(TASKS_DIR, "tasks", self._month_name(month))
                docs = tasks.of_branch(branch_id)
        return [converter.structure(doc, StudyTask) for doc in docs]

    # --- quizzes ----------------------------------------------------------------

    def member_quiz(self, user_id: int) -> MemberQuizState:
        """A member's quiz file (an empty state for someone who never took a quiz)."""
        with self._lock:
            doc = self._member_quiz_table(user_id).get(doc_id=MEMBER_QUIZ_DOC)
        if not isinstance(doc, dict):
            return MemberQuizState(user_id)
        return converter.structure({**doc, "user_id": user_id}, MemberQuizState)

    def save_member_quiz(self, state: MemberQuizState) -> None:
        """Write session, progress and outbox of a member together: one atomic write."""
        with self._lock:
            table = self._member_quiz_table(state.user_id)
            put(table, MEMBER_QUIZ_DOC, converter.unstructure(state))

    def members_with_outbox(self) -> list[MemberQuizState]:
        """Quiz files whose outbox is not empty: what a crash may have kept from the records.

        Read at every start: a file saying `"outbox":[]` (nearly all of them) is passed
        over unparsed (10,000 members: 0.2 s instead of 1.7 s)."""
        folder = self._dir / QUIZ_MEMBERS_DIR
        if not folder.is_dir():
            return []
        found = []
        with os.scandir(folder) as entries:
            numbered = sorted(int(e.name[:-5]) for e in entries if e.name[:-5].isdigit())
        for user_id in numbered:
            if EMPTY_OUTBOX not in (folder / f"{user_id}.json").read_bytes():
                state = self.member_quiz(user_id)
                if state.outbox:
                    found.append(state)
        return found

    def record_events_once(self, events: Iterable[Event]) -> int:
        """Append answer events not yet in their shard (by `data["answer_id"]`); return how many.

        An event's shard follows from its branch and time alone, so recording the
        same answers again (a flush redone after a crash) adds nothing. One write
        per shard touched.
        """
        by_shard: dict[tuple[str | None, date], list[Event]] = {}
        for event in events:
            key = (event.branch_id, event.at.astimezone(self._timezone).date())
            by_shard.setdefault(key, []).append(event)
        added = 0
        with self._lock:
            for (branch_id, day), batch in by_shard.items():
                table = self._shard(branch_id, day).table("events")
                present = {doc["data"].get(ANSWER_ID) for doc in table if doc.get("data")}
                docs = []
                for event in batch:
                    answer_id = event.data[ANSWER_ID]
                    if answer_id not in present:
                        present.add(answer_id)
                        docs.append(converter.unstructure(event))
                if docs:
                    table.insert_multiple(docs)
                    self._count_answers(branch_id, day, docs)
                    added += len(docs)
                    self._touched(branch_id)
        return added

    def group_quiz(self, quiz_id: str) -> GroupQuiz | None:
        """A group quiz by id (the id names its month, so one small file is read, and its
        answer log; kept in memory after)."""
        path = self._group_quiz_path(quiz_id)
        if path is None:
            return None
        with self._lock:
            cached = self._quizzes.get(quiz_id)
            if cached is not None:
                self._quizzes.move_to_end(quiz_id)
                return cached
            if not path.exists():
                return None
            doc = self._open_shard(path).table("quiz").get(doc_id=GROUP_QUIZ_DOC)
            if not isinstance(doc, dict):
                return None
            quiz = with_logged(converter.structure(doc, GroupQuiz), read_answers(log_path(path)))
            self._remember_quiz(quiz)
            return quiz

    def save_group_quiz(self, quiz: GroupQuiz) -> None:
        """Create or replace a group quiz whole, answers included: one small file per quiz,
        so a write costs what that quiz holds, not what the month holds."""
        path = self._group_quiz_path(quiz.id)
        assert path is not None, f"group quiz id without its month: {quiz.id}"
        with self._lock:
            self._folder(path.parent)
            document = converter.unstructure(quiz)
            put(self._open_shard(path).table("quiz"), GROUP_QUIZ_DOC, document)
            drop_log(log_path(path))  # the file just written holds every logged answer
            self._remember_quiz(quiz)
            self._group_quiz_index(quiz.started_at).add(quiz.id, quiz.status, _poll_ids(quiz))

    def change_group_quiz(
        self, quiz_id: str, change: Callable[[GroupQuiz], tuple[GroupQuiz | None, Result]]
    ) -> Result | None:
        """Read, change and write one group quiz in one step; None if there is no such quiz.

        `change` gets the quiz as stored and returns the quiz to write (None: write
        nothing) and what to hand back. Nothing can change the quiz in between, so a
        check (first answer, not yet claimed) and its write are one. A change that only
        adds answers is appended to the quiz's answer log (core/store/answer_log.py).
        """
        with self._lock:
            quiz = self.group_quiz(quiz_id)
            if quiz is None:
                return None
            changed, result = change(quiz)
            if changed is None:
                return result
            added = added_answers(quiz, changed)
            path = self._group_quiz_path(quiz_id)
            if added is None or path is None:
                self.save_group_quiz(changed)
            elif added:
                append_answers(log_path(path), added)
                self._remember_quiz(changed)
            return result

    def _remember_quiz(self, quiz: GroupQuiz) -> None:
        self._quizzes[quiz.id] = quiz
        self._quizzes.move_to_end(quiz.id)
        while len(self._quizzes) > OPEN_SHARDS:
            self._quizzes.popitem(last=False)

    def unfinished_group_quizzes(self, now: datetime) -> list[GroupQuiz]:
        """Recent group quizzes not yet closed (a close a crash interrupted included)."""
        unfinished = sorted(self._group_quiz_index(now).unfinished)
        return [quiz for quiz_id in unfinished if (quiz := self.group_quiz(quiz_id))]

    def group_quiz_for_poll(self, poll_id: str, now: datetime) -> GroupQuiz | None:
        """The recent group quiz that sent this poll (poll answers carry no chat)."""
        quiz_id = self._group_quiz_index(now).by_poll.get(poll_id)
        return self.group_quiz(quiz_id) if quiz_id else None

    def branch_version(self, branch_id: str) -> int:
        """A number that changes whenever the records a branch's month report is built from
        change (its events, people, roster, study tasks): what was built from the records
        at one version may be kept until the version moves."""
        with self._lock:
            return self._branch_versions.get(branch_id, 0)

    # --- internals --------------------------------------------------------

    def _touched(self, *branch_ids: str | None) -> None:
        for branch_id in branch_ids:
            if branch_id is not None:
                self._branch_versions[branch_id] = self._branch_versions.get(branch_id, 0) + 1

    def _count_answers(
        self, branch_id: str | None, day: date, documents: Iterable[dict[str, Any]]
    ) -> None:
        """Count answers just recorded into their kept tally, if one is kept."""
        tally = self._tallies.get((branch_id, f"{day:%Y-%m}")) if branch_id else None
        if tally is not None:
            _count_into(tally, day, documents)

    def _keep_tally(self, key: tuple[str, str], tally: AnswerTally) -> None:
        months = list(dict.fromkeys(month for _, month in self._tallies))
        if key[1] not in months and len(months) >= TALLY_MONTHS:
            self._tallies = {k: kept for k, kept in self._tallies.items() if k[1] != months[0]}
        self._tallies[key] = tally

    def _month_name(self, at: datetime) -> str:
        return f"{at.astimezone(self._timezone):%Y-%m}"

    def _task_table(self, task_id: str) -> KeyedTable:
        # The id starts with its month: a task is read and written in that month's file.
        return self._keyed_table(TASKS_DIR, "tasks", task_id)

    def _meeting_table(self, meeting_id: str) -> KeyedTable:
        return self._keyed_table(MEETINGS_DIR, "meetings", meeting_id)

    def _keyed_table(self, folder: str, name: str, key: str) -> KeyedTable:
        month = _task_month(key)
        assert month is not None, f"{name} id without its month: {key}"
        return self._keyed_month(folder, name, month)

    def _keyed_month(self, folder: str, name: str, month: str) -> KeyedTable:
        path = self._folder(self._dir / folder) / f"{month}.json"
        table = self._open_shard(path, month_file=True).table(name)
        index = self._key_index.get(path)
        if index is None:
            index = KeyedTable.index_of(table)
            if not self._read_only:  # another process writes what a read-only store reads
                self._key_index[path] = index
        return KeyedTable(table, index)

    def _group_quiz_path(self, quiz_id: str) -> Path | None:
        month = _task_month(quiz_id)
        return self._dir / QUIZ_GROUP_DIR / month / f"{quiz_id}.json" if month else None

    def _group_quiz_index(self, now: datetime) -> _GroupQuizIndex:
        # Poll answers name only their poll, and every round asks which quizzes are still
        # open: both are answered from memory, built once from the recent files.
        if self._group_quizzes is None:
            index = _GroupQuizIndex()
            for months_back in range(GROUP_QUIZ_MONTHS):
                month = _shift_month(now.astimezone(self._timezone), -months_back)
                for path in sorted((self._dir / QUIZ_GROUP_DIR / f"{month:%Y-%m}").glob("*.json")):
                    with self._lock:
                        doc = self._open_shard(path).table("quiz").get(doc_id=GROUP_QUIZ_DOC)
                    if isinstance(doc, dict):
                        polls = [q["poll_id"] for q in doc["questions"] if q["poll_id"]]
                        index.add(doc["id"], doc["status"], polls)
            self._group_quizzes = index
        return self._group_quizzes

    def _roster_table(self, branch_id: str) -> Table:
        folder = self._folder(self._dir / ROSTERS_DIR)
        return self._open_shard(folder / f"{branch_id}.json").table("roster")

    def _member_quiz_table(self, user_id: int) -> Table:
        folder = self._folder(self._dir / QUIZ_MEMBERS_DIR)
        return self._open_shard(folder / f"{user_id}.json").table("quiz")

    def _month_file(self, folder: str, at: datetime) -> TinyDB:
        directory = self._folder(self._dir / folder)
        name = f"{at.astimezone(self._timezone):%Y-%m}.json"
        return self._open_shard(directory / name, month_file=True)

    def _shard(self, branch_id: str | None, day: date) -> TinyDB:
        folder = self._dir / EVENTS_DIR / f"{day:%Y-%m}" / (branch_id or UNAFFILIATED)
        return self._open_shard(self._folder(folder) / f"{day:%d}.json")

    def _folder(self, path: Path) -> Path:
        # A read-only store creates nothing: a missing folder reads as empty files.
        if not self._read_only:
            path.mkdir(parents=True, exist_ok=True)
        return path

    def _open_shard(self, path: Path, *, month_file: bool = False) -> TinyDB:
        # Month files (a month's tasks, meetings) have their own few places: every round
        # reads the open tasks, and the day's event shards and rosters would push them out.
        shards, room = (
            (self._month_files, OPEN_MONTH_FILES) if month_file else (self._shards, OPEN_SHARDS)
        )
        shard = shards.pop(path, None)
        if shard is None:
            shard = TinyDB(path, storage=self._storage)
            shard.storage.read()  # fail now, before any write could touch an unreadable file
        shards[path] = shard
        while len(shards) > room:
            _, oldest = shards.popitem(last=False)
            oldest.close()
        return shard

    def _check_readable(self, now: datetime) -> None:
        """Refuse to start on an unreadable state file or a file written next (this month's
        tasks, pushes and group quizzes, today's events); move the people of an earlier
        release's `state.json` to their files; read everyone."""
        self._state.storage.read()
        self._scheduler.storage.read()
        legacy = self._state.table(LEGACY_PEOPLE_TABLE)
        if self._read_only:
            self._people.load(legacy.all())
        else:
            if len(legacy):
                self._people.migrate(legacy.all())  # every new file fsynced, then:
                self._state.drop_table(LEGACY_PEOPLE_TABLE)
            self._people.load()
        month = f"{now.astimezone(self._timezone):%Y-%m}"
        # What the first round reads, read here, before the event loop runs: this month's
        # and last month's push records (moved, if of an earlier layout), the open tasks.
        local = now.astimezone(self._timezone)
        for back in (1, 0):
            self._pushes.get(self._month_name(_shift_month(local, -back)), "")
        if (self._dir / TASKS_DIR).is_dir():  # (reading creates no folder)
            self.open_study_tasks(now)
            for back in range(3, -1, -1):
                path = (
                    self._dir / TASKS_DIR / f"{self._month_name(_shift_month(local, -back))}.json"
                )
                if path.exists():
                    self._open_shard(path, month_file=True)
        # The event shards written next (today's, and yesterday's by a late flush); an older
        # one that is unreadable fails the write that would touch it, and is never replaced.
        days = [now.astimezone(self._timezone).date() - timedelta(days=back) for back in (1, 0)]
        current = [
            *(
                path
                for day in days
                for path in sorted(
                    (self._dir / EVENTS_DIR / f"{day:%Y-%m}").glob(f"*/{day:%d}.json")
                )
            ),
            self._dir / TASKS_DIR / f"{month}.json",
            *sorted((self._dir / QUIZ_GROUP_DIR / month).glob("*.json")),
        ]
        for path in current:
            if path.exists():
                self._open_shard(path)


class _GroupQuizIndex:
    """Which quiz sent each poll, and which quizzes are not closed yet."""

    def __init__(self) -> None:
        self.by_poll: dict[str, str] = {}
        self.unfinished: set[str] = set()

    def add(self, quiz_id: str, status: str, poll_ids: Iterable[str]) -> None:
        """Take in the current state of one quiz."""
        for poll_id in poll_ids:
            self.by_poll[poll_id] = quiz_id
        if status in UNFINISHED_STATUSES:
            self.unfinished.add(quiz_id)
        else:
            self.unfinished.discard(quiz_id)


def _is_answer(doc: dict[str, Any]) -> bool:
    """Whether an event document is a member's quiz answer (what `answers` returns and a
    tally counts: the two must agree)."""
    return bool(doc["kind"] == ANSWER_EVENT_KIND and doc["user_id"] is not None)


def _count_into(tally: AnswerTally, day: date, documents: Iterable[dict[str, Any]]) -> None:
    """Add the answers among a day shard's event documents to `tally`."""
    for doc in documents:
        if _is_answer(doc):
            tally.add(doc["user_id"], bool(doc["data"]["correct"]), day)


def _poll_ids(quiz: GroupQuiz) -> list[str]:
    return [question.poll_id for question in quiz.questions if question.poll_id]


def _shift_month(at: datetime, months: int) -> datetime:
    index = at.year * 12 + at.month - 1 + months
    return at.replace(year=index // 12, month=index % 12 + 1, day=1)


def _task_month(task_id: str) -> str | None:
    # Task and group quiz ids start with their month as YYMM, e.g. "2611-3f2a9c1d".
    prefix = task_id[:4]
    if len(task_id) < 6 or not prefix.isdigit() or not 1 <= int(prefix[2:]) <= 12:
        return None
    return f"20{prefix[:2]}-{prefix[2:]}"


def last_tick_of(data_dir: Path) -> datetime | None:
    """`Store.last_tick` from another process, reading only the scheduler's file
    (`python bot.py health`, every minute: opening the whole store would read far more)."""
    check_holds_store(data_dir)
    scheduler = TinyDB(data_dir / SCHEDULER_FILE, storage=ReadOnlyJSONStorage)
    try:
        return _moment(scheduler, HEARTBEAT)
    finally:
        scheduler.close()


def _moment(scheduler: TinyDB, name: str) -> datetime | None:
    doc = scheduler.table(name).get(doc_id=1)
    return datetime.fromisoformat(doc["at"]) if isinstance(doc, dict) else None


def check_holds_store(data_dir: Path) -> None:
    """Raise DataFileError unless `data_dir` is a store's: a wrong DATA_DIR, read as an
    empty store, would give an empty ledger or backup without a word."""
    if not data_dir.is_dir():
        raise DataFileError(str(data_dir), "没有这个目录")
    if not any((data_dir / name).exists() for name in (STATE_FILE, LOCK_FILE)):
        raise DataFileError(str(data_dir), "不是机器人的数据目录（没有 state.json）")


def acquire_process_lock(path: Path) -> Any:
    """The data folder's one-process lock (held open; closing the handle releases it)."""
    handle = open(path, "a")  # noqa: SIM115 - held open for the store's lifetime
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.close()
        reason = "another bot process is using this directory"
        raise DataFileError(str(path.parent), reason) from error
    return handle


def _remove_stale_temp_files(data_dir: Path, now: datetime) -> None:
    """Remove what a crash interrupted before its rename (never acknowledged).

    A temp file lies beside a file being written: never in a month older than the last
    (no store method writes there), so those folders, most of the files, are not walked."""
    recent = {f"{_shift_month(now, -back):%Y-%m}" for back in range(2)}
    for folder, subfolders, names in os.walk(data_dir):
        if Path(folder).name in MONTHLY_FOLDERS or folder.endswith(QUIZ_GROUP_DIR):
            subfolders[:] = [name for name in subfolders if name in recent]
        for name in names:
            if name.endswith(TEMP_SUFFIX):
                Path(folder, name).unlink()
