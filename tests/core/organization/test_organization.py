"""Binding rules and rosters, without Telegram."""

from __future__ import annotations

import pytest

from core.config.agency import AgencyConfig
from core.errors import UserError
from core.organization.branches import ChatUser, Organization
from core.organization.roles import Role
from core.store.database import Store
from tests.conftest import FakeClock

ZHANG = ChatUser(11, "Zhang San", "zhang")
LI = ChatUser(12, "Li Si")
OFFICE_CHAT = -1001
POLICY_CHAT = -1002


@pytest.fixture
def org(store: Store, agency: AgencyConfig, clock: FakeClock) -> Organization:
    return Organization(store, agency, clock)


def test_group_admin_binds_a_group(org: Organization) -> None:
    reply = org.bind(OFFICE_CHAT, "办公室群", "office", role=Role.SECRETARY, actor=11).text
    assert "办公室党支部" in reply
    branch = org.branch_for_chat(OFFICE_CHAT)
    assert branch is not None and branch.id == "office"


@pytest.mark.parametrize(
    ("branch_id", "role", "fragment"),
    [
        (None, Role.SECRETARY, "请写上支部 ID"),
        ("nosuch", Role.SECRETARY, "没有 ID 为“nosuch”的支部"),
        ("office", Role.MEMBER, "只有本群的群主、群管理员或机器人管理员"),
    ],
)
def test_bad_bind_is_refused_and_changes_nothing(
    org: Organization, branch_id: str | None, role: Role, fragment: str
) -> None:
    with pytest.raises(UserError, match=fragment):
        org.bind(OFFICE_CHAT, "办公室群", branch_id, role=role, actor=11)
    assert org.store.bindings() == []


def test_unknown_branch_lists_the_valid_ids(org: Organization) -> None:
    with pytest.raises(UserError) as caught:
        org.bind(OFFICE_CHAT, "群", "nosuch", role=Role.ADMIN, actor=1)
    assert "office、policy" in caught.value.message


def test_binding_twice_is_harmless(org: Organization) -> None:
    org.bind(OFFICE_CHAT, "办公室群", "office", role=Role.SECRETARY, actor=11)
    again = org.bind(OFFICE_CHAT, "办公室群", "office", role=Role.SECRETARY, actor=11)
    assert "无需重复绑定" in again.text and again.notice is None


def test_a_bound_group_must_unbind_before_taking_another_branch(org: Organization) -> None:
    org.bind(OFFICE_CHAT, "办公室群", "office", role=Role.SECRETARY, actor=11)
    with pytest.raises(UserError, match="/unbind"):
        org.bind(OFFICE_CHAT, "办公室群", "policy", role=Role.ADMIN, actor=1)


def test_only_a_bot_admin_may_move_a_branch_to_another_group(org: Organization) -> None:
    org.bind(OFFICE_CHAT, "旧群", "office", role=Role.SECRETARY, actor=11)
    with pytest.raises(UserError, match="已绑定到另一个群。") as refused:
        org.bind(-1009, "新群", "office", role=Role.SECRETARY, actor=11)
    assert "旧群" not in refused.value.message  # not the other group's title
    reply = org.bind(-1009, "新群", "office", role=Role.ADMIN, actor=1).text
    assert "原群“旧群”已解除绑定" in reply
    assert org.branch_for_chat(OFFICE_CHAT) is None
    assert org.store.binding_for_branch("office").chat_id == -1009  # type: ignore[union-attr]


def test_roster_is_everyone_seen_minus_those_who_left(org: Organization) -> None:
    org.bind(OFFICE_CHAT, "办公室群", "office", role=Role.SECRETARY, actor=11)
    org.seen_in_group(OFFICE_CHAT, ZHANG)
    org.seen_in_group(OFFICE_CHAT, LI)
    org.seen_in_group(OFFICE_CHAT, ZHANG)
    assert [p.user_id for p in org.roster("office")] == [12, 11]  # by name: "Li Si" < "Zhang San"
    org.left_group(OFFICE_CHAT, LI)
    assert [p.user_id for p in org.roster("office")] == [11]
    person = org.store.person(12)
    assert person is not None and person.membership("office") is not None  # kept as history
    org.seen_in_group(OFFICE_CHAT, LI)
    assert [p.user_id for p in org.roster("office")] == [12, 11]


def test_people_in_unbound_groups_are_not_recorded(org: Organization) -> None:
    org.seen_in_group(-5555, ZHANG)
    assert org.store.people() == []


def test_roster_changes_are_recorded_as_events(org: Organization, clock: FakeClock) -> None:
    org.bind(OFFICE_CHAT, "办公室群", "office", role=Role.SECRETARY, actor=11)
    org.seen_in_group(OFFICE_CHAT, ZHANG)
    clock.advance(days=3)
    org.left_group(OFFICE_CHAT, ZHANG)
    events = list(org.store.events("office", "2026-11"))
    assert [(e.kind, e.user_id, e.at.day) for e in events] == [
        ("bound", 11, 2),
        ("member_joined", 11, 2),
        ("member_left", 11, 5),
    ]


def test_join_sets_the_real_name_and_joins_the_branch(org: Organization) -> None:
    org.bind(OFFICE_CHAT, "办公室群", "office", role=Role.SECRETARY, actor=11)
    reply = org.set_real_name(ZHANG, "  张三 ", OFFICE_CHAT)
    assert reply == "已登记您的姓名：张三，并加入办公室党支部名单。"
    assert [p.report_name for p in org.roster("office")] == ["张三"]
    assert org.set_real_name(LI, "李四", None) == "已登记您的姓名：李四。"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("", "请在命令后写上"), ("<b>x</b>", "姓名应为"), ("张" * 21, "姓名应为")],
)
def test_bad_names_are_refused(org: Organization, name: str, fragment: str) -> None:
    with pytest.raises(UserError, match=fragment):
        org.set_real_name(ZHANG, name, None)
    assert org.store.person(ZHANG.user_id) is None


def test_bot_removed_unbinds_and_tells_admins(org: Organization) -> None:
    org.bind(OFFICE_CHAT, "办公室群", "office", role=Role.SECRETARY, actor=11)
    notice = org.bot_removed(OFFICE_CHAT)
    assert notice is not None and "/bind office" in notice.text
    assert org.store.bindings() == []
    assert org.bot_removed(OFFICE_CHAT) is None


def test_migration_follows_the_new_chat(org: Organization) -> None:
    org.bind(OFFICE_CHAT, "办公室群", "office", role=Role.SECRETARY, actor=11)
    assert org.chat_migrated(OFFICE_CHAT, -100777) is not None
    branch = org.branch_for_chat(-100777)
    assert branch is not None and branch.id == "office"
    assert org.chat_migrated(OFFICE_CHAT, -100777) is None


def test_private_chat_flag_follows_start_and_blocking(org: Organization) -> None:
    assert org.register_private_chat(ZHANG).private_chat
    org.private_chat_closed(ZHANG.user_id)
    person = org.store.person(ZHANG.user_id)
    assert person is not None and not person.private_chat


def test_a_branch_with_history_is_rebound_only_by_trusted_people(org: Organization) -> None:
    org.bind(OFFICE_CHAT, "办公室群", "office", role=Role.SECRETARY, actor=11)
    org.seen_in_group(OFFICE_CHAT, LI)
    org.unbind(OFFICE_CHAT, actor=11)
    # Any other group's owner is refused: the branch's roster and records are still there.
    with pytest.raises(UserError, match="以前绑定过群"):
        org.bind(-1009, "别人的群", "office", role=Role.SECRETARY, actor=77)
    assert org.store.bindings() == []
    # The branch's YAML secretary (501 in the fixture) or a bot admin may rebind it.
    assert org.bind(-1009, "新群", "office", role=Role.SECRETARY, actor=501).text.startswith("✅")
    org.unbind(-1009, actor=501)
    assert org.bind(-1010, "又一个群", "office", role=Role.ADMIN, actor=1).text.startswith("✅")


def test_a_new_branch_is_bound_by_its_group_administrator(org: Organization) -> None:
    bound = org.bind(POLICY_CHAT, "政策群", "policy", role=Role.SECRETARY, actor=12)
    assert bound.text.startswith("✅")
