"""The one table of commands: it feeds /help, permission checks and set_my_commands."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from core.organization.roles import Role


class ChatKind(Enum):
    """Where a command may be used."""

    PRIVATE = "private"
    GROUP = "group"
    ANY = "any"

    def allows(self, is_private: bool) -> bool:
        """Whether a chat of this privacy may use a command of this kind."""
        if self is ChatKind.ANY:
            return True
        return is_private == (self is ChatKind.PRIVATE)


@dataclass(frozen=True)
class Command:
    """A bot command as users see it."""

    name: str
    description: str
    role: Role = Role.MEMBER
    where: ChatKind = ChatKind.ANY
    args: str = ""


COMMANDS: tuple[Command, ...] = (
    Command("start", "开始使用，接收私聊提醒", where=ChatKind.PRIVATE),
    Command("help", "查看我能使用的命令"),
    Command("join", "登记真实姓名", args="姓名"),
    Command("quiz", "私聊答题", where=ChatKind.PRIVATE, args="[题库或标签] [题数]"),
    Command("review", "复习错题本", where=ChatKind.PRIVATE),
    Command("me", "查看我本月的学习、答题和积分"),
    Command("top", "本支部本月积分榜"),
    Command("rules", "积分规则：怎样得分、每天上限"),
    Command("bind", "把本群绑定到支部", Role.SECRETARY, ChatKind.GROUP, "支部ID"),
    Command("unbind", "解除本群与支部的绑定", Role.SECRETARY, ChatKind.GROUP),
    Command("roster", "支部名单和报到情况", Role.SECRETARY, args="[支部ID | add 姓名…]"),
    Command("rollcall", "在支部群发起报到", Role.SECRETARY, ChatKind.GROUP),
    Command("leave", "登记或撤销请假", Role.SECRETARY, args="姓名 月份 事由"),
    Command("meeting", "登记三会一课、主题党日，发起签到", Role.SECRETARY, ChatKind.GROUP),
    Command(
        "groupquiz", "在支部群发起测验", Role.SECRETARY, ChatKind.GROUP, "[题库] [题数] [时长]"
    ),
    Command("report", "支部月度参与情况和未参与名单", Role.SECRETARY, args="[支部ID] [月份]"),
    Command("export", "导出支部台账（Excel）", Role.SECRETARY, args="[支部ID] [期间]"),
    Command("branches", "全部支部的绑定情况和本月参与率排名", Role.ADMIN),
    Command(
        "stats", "题目统计：最该讲的题、各支部薄弱知识点", Role.ADMIN, args="[题库ID] [月份或季度]"
    ),
    Command("reload", "重新读取全部配置文件", Role.ADMIN),
    Command("template", "获取题库表格模板（填好后发给我即可导入）", Role.ADMIN, ChatKind.PRIVATE),
)


def command(name: str) -> Command:
    """The table entry for a command name."""
    return next(c for c in COMMANDS if c.name == name)


def commands_for(role: Role, *, is_private: bool) -> list[Command]:
    """The commands a caller of `role` may use in this kind of chat, in table order."""
    return [c for c in COMMANDS if c.role <= role and c.where.allows(is_private)]
