"""Who may do what: admin, secretary, member."""

from __future__ import annotations

from enum import IntEnum

from core.config.branches import Branch


class Role(IntEnum):
    """Roles in increasing power; a higher role may do everything a lower one may."""

    MEMBER = 1
    SECRETARY = 2
    ADMIN = 3

    @property
    def key(self) -> str:
        """Lower-case name, for message look-ups."""
        return self.name.lower()


def role_of(
    user_id: int,
    *,
    admin_ids: frozenset[int],
    branch: Branch | None = None,
    is_chat_admin: bool = False,
) -> Role:
    """A user's role in a chat: admin, else secretary (YAML or group admin), else member."""
    if user_id in admin_ids:
        return Role.ADMIN
    if is_chat_admin or (branch is not None and user_id in branch.secretary_ids):
        return Role.SECRETARY
    return Role.MEMBER
