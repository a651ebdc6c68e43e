"""Branches, their group chats and their rosters: the rules, without Telegram.

Handlers translate chat events into calls here and send back the text these
methods return; expected problems are raised as `UserError`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from core import messages
from core.clock import Clock
from core.config.agency import AgencyConfig
from core.config.branches import Branch
from core.delivery import Button
from core.errors import UserError
from core.organization.names import name_order
from core.organization.roles import Role
from core.store.database import Store
from core.store.records import Binding, Event, Membership, Person

REAL_NAME_PATTERN = re.compile(r"^[\u4e00-\u9fffA-Za-z·\- ]{1,20}$")
# 撤销绑定 under the admins' notice of a bind (see undo_bind_data).
UNDO_BIND_PREFIX = "undo-bind:"


def undo_bind_data(binding: Binding) -> str:
    """The 撤销绑定 button of one binding: its branch and a digest of when it was bound, so
    an old button never undoes a later binding, even of the same group, and still undoes
    one that followed its group to a supergroup (the chat id changes; <= 51 bytes)."""
    digest = hashlib.sha1(binding.bound_at.isoformat().encode())
    return f"{UNDO_BIND_PREFIX}{binding.branch_id}:{digest.hexdigest()[:8]}"


@dataclass(frozen=True)
class ChatUser:
    """A Telegram user as the core needs to know them."""

    user_id: int
    display_name: str
    username: str | None = None


@dataclass(frozen=True)
class Notice:
    """Something the admins must hear about (the handler delivers it), with any buttons
    they can act through."""

    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Changed:
    """The reply to whoever changed a binding, and what the admins must hear of it."""

    text: str
    notice: Notice | None = None  # None: nothing changed


class Organization:
    """The agency's branches, which group each is bound to, and who is on each roster."""

    def __init__(self, store: Store, config: AgencyConfig, clock: Clock) -> None:
        self.store = store
        self.config = config
        self._clock = clock

    # --- branches and their groups ------------------------------------

    def branch_for_chat(self, chat_id: int) -> Branch | None:
        """The declared branch a group is bound to (None if unbound or no longer declared)."""
        binding = self.store.binding_for_chat(chat_id)
        return self.config.branch(binding.branch_id) if binding else None

    def bind(
        self,
        chat_id: int,
        chat_title: str,
        branch_id: str | None,
        *,
        role: Role,
        actor: int,
        actor_name: str = "",
    ) -> Changed:
        """Bind a group to a branch; `role` is the actor's role in this (maybe unbound) group.

        Any group owner can bind a branch never bound before, so the admins hear of every
        bind, with a button that undoes it.
        """
        branch = self._declared_branch(branch_id)
        if role < Role.SECRETARY:
            raise UserError(messages.BIND_NOT_ALLOWED)
        current = self.store.binding_for_chat(chat_id)
        if current is not None:
            if current.branch_id == branch.id:
                return Changed(messages.BIND_ALREADY.format(branch=branch.name))
            raise UserError(messages.BIND_CHAT_TAKEN.format(branch=self._name(current.branch_id)))
        previous = self.store.binding_for_branch(branch.id)
        trusted = role >= Role.ADMIN or actor in branch.secretary_ids
        if previous is None and not trusted and self._has_history(branch.id):
            # Owning some group must not be a way into a branch's retained roster and records.
            raise UserError(messages.BIND_NEEDS_TRUST.format(branch=branch.name))
        if previous is not None and role < Role.ADMIN:
            # Not the other group's title: the asker is no admin, and it may be none of theirs.
            raise UserError(
                messages.BIND_BRANCH_TAKEN.format(branch=branch.name, branch_id=branch.id)
            )
        binding = Binding(branch.id, chat_id, chat_title, self._clock())
        self.store.bind(binding)
        bound_event = Event("bound", branch.id, binding.bound_at, actor, {"chat_id": chat_id})
        self.store.record_event(bound_event)
        who = _actor(actor, actor_name)
        where = {"branch": branch.name, "branch_id": branch.id, "chat": chat_title}
        undo = Button(messages.UNDO_BIND_BUTTON, undo_bind_data(binding))
        if previous is not None:
            moved = messages.ADMIN_BIND_MOVED.format(
                actor=who, old_chat=previous.chat_title, chat_id=chat_id, **where
            )
            return Changed(
                messages.BIND_MOVED.format(branch=branch.name, old_chat=previous.chat_title),
                Notice(moved, (undo,)),
            )
        bound = messages.ADMIN_BOUND.format(actor=who, chat_id=chat_id, **where)
        return Changed(messages.BIND_DONE.format(branch=branch.name), Notice(bound, (undo,)))

    def unbind(self, chat_id: int, *, actor: int, actor_name: str = "") -> Changed:
        """Unbind a group from its branch; rosters and records stay. The admins are told."""
        binding = self.store.binding_for_chat(chat_id)
        if binding is None:
            raise UserError(messages.UNBIND_NOT_BOUND)
        self.store.unbind(binding.branch_id)
        self._record("unbound", binding.branch_id, actor, {"chat_id": chat_id})
        branch = self._name(binding.branch_id)
        notice = messages.ADMIN_UNBOUND.format(
            actor=_actor(actor, actor_name),
            chat=binding.chat_title,
            chat_id=chat_id,
            branch=branch,
            branch_id=binding.branch_id,
        )
        return Changed(messages.UNBIND_DONE.format(branch=branch), Notice(notice))

    def undo_bind(self, data: str, *, actor: int) -> str:
        """撤销绑定 pressed by an admin: unbind exactly the binding the button names.

        A second press, or one after the group was unbound or the branch rebound
        elsewhere, finds no such binding and changes nothing.
        """
        branch_id = data.removeprefix(UNDO_BIND_PREFIX).rpartition(":")[0]
        binding = self.store.binding_for_branch(branch_id)
        if binding is None or undo_bind_data(binding) != data:
            return messages.UNDO_BIND_GONE
        self.store.unbind(branch_id)
        self._record("bind_undone", branch_id, actor, {"chat_id": binding.chat_id})
        return messages.UNDO_BIND_DONE.format(
            branch=self._name(branch_id), chat=binding.chat_title
        )

    def bot_removed(self, chat_id: int) -> Notice | None:
        """The bot was removed from a group: the branch becomes unbound and admins are told."""
        binding = self.store.binding_for_chat(chat_id)
        if binding is None:
            return None
        self.store.unbind(binding.branch_id)
        self._record("bot_removed", binding.branch_id, None, {"chat_id": chat_id})
        return Notice(
            messages.ADMIN_BOT_REMOVED.format(
                branch=self._name(binding.branch_id),
                chat=binding.chat_title,
                branch_id=binding.branch_id,
            )
        )

    def chat_migrated(self, old_chat_id: int, new_chat_id: int) -> Notice | None:
        """A group became a supergroup with a new id: the binding follows it."""
        moved = self.store.move_binding(old_chat_id, new_chat_id)
        if moved is None:
            return None
        data = {"from": old_chat_id, "to": new_chat_id}
        self._record("chat_migrated", moved.branch_id, None, data)
        return Notice(messages.ADMIN_CHAT_MIGRATED.format(branch=self._name(moved.branch_id)))

    # --- people ---------------------------------------------------------

    def seen_in_group(self, chat_id: int, user: ChatUser) -> None:
        """Someone spoke, pressed or answered in a group: keep them on its branch's roster."""
        branch = self.branch_for_chat(chat_id)
        if branch is None:
            return  # people in groups that are not branch groups are none of our business
        person = self._refreshed(user)
        if not person.is_active_in(branch.id):
            person = person.with_membership(Membership(branch.id, True, self._clock()))
            self._record("member_joined", branch.id, user.user_id, {})
        self.store.save_person(person)

    def left_group(self, chat_id: int, user: ChatUser) -> None:
        """Someone left or was removed: inactive on the roster, kept in history."""
        branch = self.branch_for_chat(chat_id)
        person = self.store.person(user.user_id)
        if branch is None or person is None or not person.is_active_in(branch.id):
            return
        membership = person.membership(branch.id)
        assert membership is not None
        left = replace(membership, active=False, left_at=self._clock())
        self.store.save_person(person.with_membership(left))
        self._record("member_left", branch.id, user.user_id, {})

    def register_private_chat(self, user: ChatUser) -> Person:
        """The user opened a private chat (/start): the bot may now message them directly."""
        person = replace(self._refreshed(user), private_chat=True)
        self.store.save_person(person)
        return person

    def private_chat_closed(self, user_id: int) -> None:
        """The user blocked the bot: stop trying to message them privately."""
        person = self.store.person(user_id)
        if person is not None and person.private_chat:
            self.store.save_person(replace(person, private_chat=False))

    def set_real_name(self, user: ChatUser, name: str, chat_id: int | None) -> str:
        """Record the real name used in reports (/join); in a branch group also join its roster."""
        name = " ".join(name.split())
        if not name:
            raise UserError(messages.JOIN_USAGE)
        if not REAL_NAME_PATTERN.match(name):
            raise UserError(messages.JOIN_BAD_NAME)
        if chat_id is not None:
            self.seen_in_group(chat_id, user)
        person = replace(self._refreshed(user), real_name=name)
        self.store.save_person(person)
        branch = self.branch_for_chat(chat_id) if chat_id is not None else None
        if branch is not None:
            return messages.JOIN_DONE_IN_BRANCH.format(name=name, branch=branch.name)
        return messages.JOIN_DONE.format(name=name)

    def roster(self, branch_id: str) -> list[Person]:
        """The active members of a branch, by report name."""
        members = [p for p in self.store.branch_people(branch_id) if p.is_active_in(branch_id)]
        return sorted(members, key=lambda p: (name_order(p.report_name), p.user_id))

    # --- helpers --------------------------------------------------------

    def _declared_branch(self, branch_id: str | None) -> Branch:
        ids = "、".join(b.id for b in self.config.branches)
        if not branch_id:
            example = self.config.branches[0].id if self.config.branches else "office"
            raise UserError(messages.BIND_USAGE.format(example=example, ids=ids))
        branch = self.config.branch(branch_id)
        if branch is None:
            raise UserError(messages.BIND_UNKNOWN_BRANCH.format(branch_id=branch_id, ids=ids))
        return branch

    def _has_history(self, branch_id: str) -> bool:
        return bool(self.store.branch_people(branch_id))

    def _name(self, branch_id: str) -> str:
        branch = self.config.branch(branch_id)
        return branch.name if branch else branch_id

    def _refreshed(self, user: ChatUser) -> Person:
        person = self.store.person(user.user_id) or Person(user.user_id, user.display_name)
        return replace(person, display_name=user.display_name, username=user.username)

    def _record(
        self, kind: str, branch_id: str, user_id: int | None, data: dict[str, int]
    ) -> None:
        self.store.record_event(Event(kind, branch_id, self._clock(), user_id, dict(data)))


def _actor(user_id: int, name: str) -> str:
    """Who changed a binding, as the admins read it."""
    return messages.BIND_ACTOR.format(name=name or user_id, user_id=user_id)
