from core.config.branches import Branch
from core.organization.commands import COMMANDS, commands_for
from core.organization.roles import Role, role_of


def names(role: Role, is_private: bool) -> list[str]:
    return [c.name for c in commands_for(role, is_private=is_private)]


def test_members_see_only_member_commands() -> None:
    assert names(Role.MEMBER, True) == [
        "start", "help", "join", "quiz", "review", "me", "top", "rules",
    ]  # fmt: skip
    assert names(Role.MEMBER, False) == ["help", "join", "me", "top", "rules"]


def test_secretaries_see_branch_commands_in_groups() -> None:
    assert names(Role.SECRETARY, False) == [
        "help",
        "join",
        "me",
        "top",
        "rules",
        "bind",
        "unbind",
        "roster",
        "rollcall",
        "leave",
        "meeting",
        "groupquiz",
        "report",
        "export",
    ]


def test_admins_see_everything_usable_in_private() -> None:
    assert names(Role.ADMIN, True) == [
        "start",
        "help",
        "join",
        "quiz",
        "review",
        "me",
        "top",
        "rules",
        "roster",
        "leave",
        "report",
        "export",
        "branches",
        "stats",
        "reload",
        "template",
    ]


def test_command_names_fit_telegram_rules() -> None:
    for entry in COMMANDS:
        assert entry.name.islower() and 1 <= len(entry.name) <= 32
        assert 1 <= len(entry.description) <= 256


def test_roles() -> None:
    branch = Branch("office", "办公室党支部", secretary_ids=frozenset({5}))
    assert role_of(1, admin_ids=frozenset({1})) is Role.ADMIN
    assert role_of(5, admin_ids=frozenset(), branch=branch) is Role.SECRETARY
    assert role_of(6, admin_ids=frozenset(), branch=branch, is_chat_admin=True) is Role.SECRETARY
    assert role_of(6, admin_ids=frozenset(), branch=branch) is Role.MEMBER
