"""The 名单, claims, roll call and leave of a branch, over a real store (no Telegram)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from core.config.agency import AgencyConfig
from core.config.branches import Branch
from core.delivery import Button
from core.errors import UserError
from core.organization.branches import ChatUser, Organization
from core.roster.leave import LeaveRequest
from core.roster.service import Rosters
from core.store.database import Store
from core.store.records import Binding
from core.store.roster_records import Leave, ListEntry, entry_id
from tests.conftest import FakeClock

OFFICE_CHAT = -1001
POLICY_CHAT = -1002
ZHANG = ChatUser(11, "Zhang San")
LI = ChatUser(12, "Li Si")
WANG = ChatUser(13, "Wang Wu")


def entry(name: str, category: str = "正式党员", note: str = "") -> ListEntry:
    return ListEntry(entry_id(name, note), name, category, note=note)


@pytest.fixture
def org(store: Store, agency: AgencyConfig, clock: FakeClock) -> Organization:
    organization = Organization(store, agency, clock)
    store.bind(Binding("office", OFFICE_CHAT, "办公室群", clock()))
    return organization


@pytest.fixture
def rosters(org: Organization, clock: FakeClock) -> Rosters:
    return Rosters(org, clock)


@pytest.fixture
def office(agency: AgencyConfig) -> Branch:
    branch = agency.branch("office")
    assert branch is not None
    return branch


@pytest.fixture
def policy(agency: AgencyConfig) -> Branch:
    branch = agency.branch("policy")
    assert branch is not None
    return branch


def claims(store: Store, branch_id: str = "office") -> dict[str, int | None]:
    return {e.name + e.note: e.user_id for e in store.branch_roster(branch_id).entries}


def leave(name: str, first: date, last: date, reason: str = "病假") -> LeaveRequest:
    return LeaveRequest(name, first, last, reason)


NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


# --- the 名单 ---------------------------------------------------------------------


def test_a_new_list_keeps_surviving_claims_and_claims_known_names(
    rosters: Rosters, org: Organization, store: Store, office: Branch
) -> None:
    rosters.replace_list(office, [entry("张三"), entry("李四"), entry("王五", "入党积极分子")])
    rosters.pick(office, ZHANG.user_id, entry_id("张三", ""))
    rosters.pick(office, WANG.user_id, entry_id("李四", ""))
    org.seen_in_group(OFFICE_CHAT, WANG)
    org.set_real_name(LI, "赵六", OFFICE_CHAT)  # in the group, not yet on the list
    org.set_real_name(ChatUser(14, "Zhang Wei"), "张伟", OFFICE_CHAT)  # two entries: no guess

    reply = rosters.replace_list(
        office,
        [
            entry("张三"),  # same name and 备注: keeps 11's claim
            entry("李四", note="财务科"),  # a new 备注 is another entry: 13's claim is gone
            entry("赵六", "预备党员"),  # 12 told us this name: claimed on upload
            entry("张伟", note="综合科"),
            entry("张伟", note="财务科"),
        ],  # 王五 is no longer listed
    )

    assert claims(store) == {
        "张三": 11,
        "李四财务科": None,
        "赵六": 12,
        "张伟综合科": None,
        "张伟财务科": None,
    }
    assert reply == (
        "✅ 已更新办公室党支部名单：共 5 人（正式党员 4，预备党员 1）。\n"
        "已报到 2 人，未报到 3 人。发送 /roster 查看详情。"
    )


def test_added_names_are_full_members_and_listed_names_are_skipped(
    rosters: Rosters, org: Organization, store: Store, office: Branch
) -> None:
    rosters.add_names(office, ["张三"])
    org.set_real_name(LI, "李四", OFFICE_CHAT)

    reply = rosters.add_names(office, ["李四", "张三", "王五", "王五"])

    assert reply == (
        "✅ 已加入办公室党支部名单 2 人：李四、王五（类别记为正式党员；需要修改请上传名单表格）\n"
        "已在名单中，未重复加入：张三"
    )
    listed = store.branch_roster("office").entries
    assert [(e.name, e.category) for e in listed] == [
        ("张三", "正式党员"),
        ("李四", "正式党员"),
        ("王五", "正式党员"),
    ]
    assert claims(store)["李四"] == 12  # the account that gave this name claims it


def test_adding_only_listed_names_says_so(rosters: Rosters, store: Store, office: Branch) -> None:
    rosters.add_names(office, ["张三"])
    before = store.branch_roster("office")
    assert rosters.add_names(office, ["张三"]) == "已在名单中，未重复加入：张三"
    assert store.branch_roster("office") == before


# --- claiming an entry ---------------------------------------------------------------


def test_claiming_the_one_free_entry_of_a_name(
    rosters: Rosters, store: Store, office: Branch
) -> None:
    rosters.replace_list(office, [entry("张三"), entry("李四")])
    claim = rosters.claim_by_name(office, 11, "张三")
    assert claim is not None
    assert claim.text == "✅ 已将您登记为办公室党支部名单中的“张三”。"
    assert claim.buttons == ()
    assert claims(store) == {"张三": 11, "李四": None}
    assert rosters.claimed_entry("office", 11) == store.branch_roster("office").entries[0]


def test_a_name_two_entries_share_asks_which_with_buttons(
    rosters: Rosters, store: Store, office: Branch
) -> None:
    rosters.replace_list(office, [entry("张伟", note="综合科"), entry("张伟", note="财务科")])
    claim = rosters.claim_by_name(office, 11, "张伟")
    assert claim is not None
    assert claim.text == "名单中有不止一位“张伟”，请选择您自己："
    assert claim.buttons == (
        Button("张伟（综合科）", f"rpick:office:{entry_id('张伟', '综合科')}"),
        Button("张伟（财务科）", f"rpick:office:{entry_id('张伟', '财务科')}"),
    )
    assert set(claims(store).values()) == {None}  # nothing claimed until a button is pressed


def test_a_name_another_account_claimed_is_refused(
    rosters: Rosters, store: Store, office: Branch
) -> None:
    rosters.replace_list(office, [entry("张三")])
    rosters.claim_by_name(office, 11, "张三")
    claim = rosters.claim_by_name(office, 12, "张三")
    assert claim is not None
    assert claim.text == ("办公室党支部名单中的“张三”已由另一个账号报到。如有误，请联系支部书记。")
    assert claims(store) == {"张三": 11}


def test_a_name_not_on_the_list_is_refused(rosters: Rosters, store: Store, office: Branch) -> None:
    rosters.replace_list(office, [entry("张三")])
    claim = rosters.claim_by_name(office, 12, "张山")
    assert claim is not None
    assert claim.text == "“张山”不在办公室党支部名单中，请核对姓名，或请书记把您加入名单。"
    assert claims(store) == {"张三": None}


def test_without_a_list_there_is_nothing_to_claim(rosters: Rosters, office: Branch) -> None:
    assert rosters.claim_by_name(office, 11, "张三") is None


def test_claiming_moves_leave_recorded_under_the_account(
    rosters: Rosters, org: Organization, store: Store, office: Branch
) -> None:
    rosters.replace_list(office, [entry("张三"), entry("李四")])
    org.seen_in_group(OFFICE_CHAT, ZHANG)  # not yet on the 名单: known by the Telegram name
    rosters.set_leave(office, leave("Zhang San", *NOVEMBER), actor=501)
    assert [lv.member for lv in store.branch_roster("office").leaves] == ["u11"]

    rosters.claim_by_name(office, 11, "张三")

    assert [lv.member for lv in store.branch_roster("office").leaves] == [entry_id("张三", "")]
    assert rosters.overview(office, date(2026, 11, 2), None).endswith("\n今日请假：张三")


def test_pressing_a_name_twice_changes_nothing_the_second_time(
    rosters: Rosters, store: Store, office: Branch
) -> None:
    rosters.replace_list(office, [entry("张伟", note="综合科"), entry("张伟", note="财务科")])
    mine = entry_id("张伟", "财务科")
    first = rosters.pick(office, 11, mine)
    after_first = store.branch_roster("office")
    second = rosters.pick(office, 11, mine)
    assert first == second == "✅ 已将您登记为办公室党支部名单中的“张伟”。"
    assert store.branch_roster("office") == after_first
    assert claims(store) == {"张伟综合科": None, "张伟财务科": 11}


def test_pressing_a_name_someone_else_claimed_is_refused(
    rosters: Rosters, store: Store, office: Branch
) -> None:
    rosters.replace_list(office, [entry("张三")])
    rosters.pick(office, 11, entry_id("张三", ""))
    reply = rosters.pick(office, 12, entry_id("张三", ""))
    assert reply == "办公室党支部名单中的“张三”已由另一个账号报到。如有误，请联系支部书记。"
    assert claims(store) == {"张三": 11}


def test_a_button_of_an_entry_since_removed_is_refused(
    rosters: Rosters, store: Store, office: Branch
) -> None:
    rosters.replace_list(office, [entry("张三")])
    stale = entry_id("张三", "")
    rosters.replace_list(office, [entry("李四")])
    assert rosters.pick(office, 11, stale) == "名单已更新，这个选项已失效。请重新发送 /join 姓名。"
    assert claims(store) == {"李四": None}


def test_picking_another_entry_frees_the_first(
    rosters: Rosters, store: Store, office: Branch
) -> None:
    rosters.replace_list(office, [entry("张伟", note="综合科"), entry("张伟", note="财务科")])
    rosters.pick(office, 11, entry_id("张伟", "综合科"))
    rosters.pick(office, 11, entry_id("张伟", "财务科"))
    assert claims(store) == {"张伟综合科": None, "张伟财务科": 11}


# --- leave ------------------------------------------------------------------------


def test_leave_is_recorded_once_even_when_the_command_comes_again(
    rosters: Rosters, store: Store, office: Branch, clock: FakeClock
) -> None:
    rosters.replace_list(office, [entry("张三"), entry("李四")])
    request = leave("张三", date(2026, 11, 3), date(2026, 11, 20), "出差")
    recorded_at = clock()
    first = rosters.set_leave(office, request, actor=501)
    clock.advance(seconds=5)  # Telegram delivers the same update again a little later
    second = rosters.set_leave(office, request, actor=501)
    assert first == second
    assert first == (
        "✅ 已登记：张三 2026-11-03 至 2026-11-20 请假（出差）。期间不计入参与率，也不会收到提醒。"
    )
    assert store.branch_roster("office").leaves == (
        Leave(
            entry_id("张三", ""), date(2026, 11, 3), date(2026, 11, 20), "出差", 501, recorded_at
        ),
    )


def test_cancelling_leave_removes_it(rosters: Rosters, store: Store, office: Branch) -> None:
    rosters.replace_list(office, [entry("张三")])
    rosters.set_leave(office, leave("张三", *NOVEMBER), actor=501)
    cancel = leave("张三", date(2026, 11, 1), date(2026, 11, 30), "取消")
    assert rosters.set_leave(office, cancel, actor=501) == "✅ 已撤销 张三 的 1 条请假记录。"
    assert store.branch_roster("office").leaves == ()
    again = rosters.set_leave(office, cancel, actor=501)
    assert again == "张三 在这段时间没有请假记录。"


def test_cancelling_leaves_other_months_and_members_alone(
    rosters: Rosters, store: Store, office: Branch
) -> None:
    rosters.replace_list(office, [entry("张三"), entry("李四")])
    rosters.set_leave(office, leave("张三", *NOVEMBER), actor=501)
    rosters.set_leave(office, leave("张三", date(2026, 12, 1), date(2026, 12, 31)), actor=501)
    rosters.set_leave(office, leave("李四", *NOVEMBER), actor=501)
    rosters.set_leave(office, leave("张三", *NOVEMBER, "取消"), actor=501)
    kept = [(lv.member, lv.first_day.month) for lv in store.branch_roster("office").leaves]
    assert kept == [(entry_id("张三", ""), 12), (entry_id("李四", ""), 11)]


def test_leave_for_an_unknown_name_lists_the_members(
    rosters: Rosters, store: Store, office: Branch
) -> None:
    rosters.replace_list(office, [entry("张三"), entry("王五"), entry("李四")])
    with pytest.raises(UserError) as refused:
        rosters.set_leave(office, leave("钱七", *NOVEMBER), actor=501)
    assert refused.value.message == "本支部没有“钱七”。成员有：李四、王五、张三"
    assert store.branch_roster("office").leaves == ()


def test_leave_for_a_name_two_members_share_is_refused(rosters: Rosters, office: Branch) -> None:
    rosters.replace_list(office, [entry("张伟", note="综合科"), entry("张伟", note="财务科")])
    with pytest.raises(UserError, match="本支部有不止一位“张伟”"):
        rosters.set_leave(office, leave("张伟", *NOVEMBER), actor=501)


# --- /roster ------------------------------------------------------------------------


def test_overview_against_the_list_and_the_group(
    rosters: Rosters, org: Organization, office: Branch
) -> None:
    rosters.replace_list(office, [entry("张三"), entry("李四"), entry("王五")])
    org.seen_in_group(OFFICE_CHAT, ZHANG)
    rosters.claim_by_name(office, 11, "张三")
    org.seen_in_group(OFFICE_CHAT, ChatUser(15, "Guest"))  # in the group, on no entry
    rosters.set_leave(office, leave("李四", date(2026, 11, 2), date(2026, 11, 6)), actor=501)

    assert rosters.overview(office, date(2026, 11, 2), group_members=5) == (
        "办公室党支部名单\n"
        "名单 3 人 · 已报到 1 人\n"
        "未报到：李四、王五\n"
        "群内未在名单：Guest\n"
        "群成员 5 人，机器人已知 2 人（其余请点群里的“报到”）\n"
        "今日请假：李四"
    )
    after_leave = rosters.overview(office, date(2026, 11, 9), group_members=None)
    assert after_leave == (
        "办公室党支部名单\n名单 3 人 · 已报到 1 人\n未报到：李四、王五\n群内未在名单：Guest"
    )


def test_overview_without_a_list_numbers_the_accounts(
    rosters: Rosters, org: Organization, office: Branch
) -> None:
    assert rosters.overview(office, date(2026, 11, 2), None) == (
        "办公室党支部名单暂时为空。成员在群里发言或点按钮后会自动加入。"
    )
    org.set_real_name(ZHANG, "张三", OFFICE_CHAT)
    org.seen_in_group(OFFICE_CHAT, LI)
    text = rosters.overview(office, date(2026, 11, 2), None)
    assert text.splitlines()[:3] == [
        "办公室党支部名单（共 2 人）：",
        "1. Li Si（未登记姓名）",
        "2. 张三",
    ]


# --- roll call ----------------------------------------------------------------------


def test_reporting_in_without_list_or_name_asks_for_the_name(
    rosters: Rosters, org: Organization
) -> None:
    reply = rosters.report_in(OFFICE_CHAT, LI)
    assert reply == (
        "✅ 已报到。请再登记真实姓名：点“私聊机器人”选择姓名，或在群里发送 /join 姓名。"
    )
    assert [p.user_id for p in org.roster("office")] == [12]
    rosters.report_in(OFFICE_CHAT, LI)  # pressed again
    assert [p.user_id for p in org.roster("office")] == [12]


def test_reporting_in_with_a_real_name_or_a_claimed_entry_is_done(
    rosters: Rosters, org: Organization, office: Branch
) -> None:
    org.set_real_name(ZHANG, "张三", None)  # told its name privately, never seen in the group
    assert rosters.report_in(OFFICE_CHAT, ZHANG) == "✅ 已报到，谢谢！"
    assert [p.user_id for p in org.roster("office")] == [11]

    rosters.replace_list(office, [entry("张三"), entry("李四")])  # 张三 is claimed on upload
    assert rosters.report_in(OFFICE_CHAT, ZHANG) == "✅ 已报到，谢谢！"
    # With a list, an account on no entry must still say who it is.
    org.set_real_name(WANG, "王五", None)
    assert rosters.report_in(OFFICE_CHAT, WANG).startswith("✅ 已报到。请再登记真实姓名")


def test_reporting_in_outside_a_branch_group_is_refused(rosters: Rosters) -> None:
    with pytest.raises(UserError, match="本群尚未绑定支部"):
        rosters.report_in(-999, LI)


def test_roll_call_counts_the_accounts_on_the_roster(
    rosters: Rosters, org: Organization, office: Branch
) -> None:
    org.seen_in_group(OFFICE_CHAT, ZHANG)
    org.seen_in_group(OFFICE_CHAT, LI)
    counted = rosters.roll_call_text(office, group_members=7)
    assert counted.text.endswith("\n已报到 2 / 群成员 7 人")
    assert counted.buttons == (Button("报到", "rollcall:office"),)
    assert rosters.roll_call_text(office, None).text.endswith("\n已报到 2 人")


# --- which branch a secretary means ---------------------------------------------------


def test_branch_of_member_is_the_only_led_branch_that_has_them(
    rosters: Rosters, store: Store, clock: FakeClock, office: Branch, policy: Branch
) -> None:
    store.bind(Binding("policy", POLICY_CHAT, "政策群", clock()))
    rosters.replace_list(office, [entry("张三")])
    rosters.replace_list(policy, [entry("李四"), entry("王五")])
    assert rosters.branch_of_member([office, policy], "李四") == policy
    assert rosters.branch_of_member([office, policy], "张三") == office

    rosters.add_names(office, ["李四"])
    with pytest.raises(UserError) as both:
        rosters.branch_of_member([office, policy], "李四")
    assert both.value.message == "您负责的几个支部都有“李四”，请在该支部群里发送 /leave。"
    with pytest.raises(UserError) as neither:
        rosters.branch_of_member([office, policy], "钱七")
    assert neither.value.message == "您负责的支部里都没有“钱七”，请核对姓名。"
    # With one branch, its own answer (set_leave) names who is there.
    assert rosters.branch_of_member([office], "钱七") == office
    with pytest.raises(UserError, match="只有支部书记或机器人管理员可以管理名单"):
        rosters.branch_of_member([], "张三")


def test_entries_kept_across_uploads_keep_their_dates_from_the_new_file(
    rosters: Rosters, store: Store, office: Branch
) -> None:
    rosters.replace_list(office, [entry("张三")])
    rosters.pick(office, 11, entry_id("张三", ""))
    joined = replace(entry("张三", "预备党员"), joined=date(2026, 3, 1))
    rosters.replace_list(office, [joined])
    assert store.branch_roster("office").entries == (replace(joined, user_id=11),)
