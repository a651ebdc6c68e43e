"""Every sentence the bot says to users, in Simplified Chinese, in one place."""

from __future__ import annotations

from datetime import datetime


def format_due(at: datetime) -> str:
    """A due or closing time as members read it: 11月15日 09:30."""
    return f"{at.month}月{at.day}日 {at:%H:%M}"


# --- general
UNEXPECTED_ERROR = "抱歉，处理时出现了意外错误，已通知管理员。请稍后再试。"
ADMIN_ERROR_REPORT = "⚠️ 机器人出错：{error}\n详情见日志。"
NOT_ALLOWED = "抱歉，/{command} 仅限{role}使用。{how}发送 /help 查看您可以使用的命令。"
# After NOT_ALLOWED: how a role is had (core/organization/roles.py: a secretary is a group
# administrator or listed under the branch's secretaries in schedules.yaml).
ROLE_HOW = {
    "member": "",
    "secretary": (
        "组织委员等支委需要使用的，请群主在支部群里把您设为管理员，或请机器人管理员把您的"
        "用户 ID {user_id} 写进 schedules.yaml 中本支部的 secretaries。"
    ),
    "admin": "如需使用，请联系机器人管理员。",
}
GROUP_ONLY = "/{command} 只能在支部群里使用。"
PRIVATE_ONLY = "/{command} 只能在与我的私聊中使用，请点下面的按钮。"
# The button under PRIVATE_ONLY in a group: a link that opens the private chat and sends
# /start <command>, which does what the command in the group was meant to do.
PRIVATE_LINK_LABELS = {"quiz": "去私聊答题", "start": "去私聊答题", "review": "去私聊复习错题"}
PRIVATE_LINK_LABEL = "去私聊"
ROLE_NAMES = {"member": "党员", "secretary": "支部书记或群管理员", "admin": "机器人管理员"}
BUTTON_EXPIRED = "这个按钮已失效。发送 /help 查看可用的命令。"
UNKNOWN_COMMAND_CLOSEST = "没有 /{typed} 这个命令。您是想发送 {meant} 吗？"
UNKNOWN_COMMAND = "没有 /{typed} 这个命令。发送 /help 查看您可以使用的命令。"
NOT_UNDERSTOOD = (
    "没看懂这条消息。您可以发送：\n/quiz 开始答题\n/review 复习错题\n/me 查看我的积分\n"
    "/join 姓名 登记真实姓名\n/help 查看全部命令"
)

# --- start and help
WELCOME = (
    "您好，{name}！我是支部学习助手。\n"
    "我会在支部群里推送主题党日、三会一课提醒和理论学习任务，也可以在这里私聊答题。\n"
    "点下面的按钮即可答题、复习错题和查看积分；请点“登记姓名”登记您的真实姓名，便于支部统计。"
    "发送 /help 查看全部命令。"
)
# The keyboard under /start and /help in private: each button sends its label, which
# core/organization/command_text.py reads as the command beside it.
MENU_BUTTONS = {"开始答题": "quiz", "错题复习": "review", "我的积分": "me", "登记姓名": "join"}
SECRETARY_MENU_BUTTONS = {"支部情况": "report"}
HELP_HEADER = "您可以使用以下命令："
HELP_LINE = "/{command}{args} — {description}"

# --- names
JOIN_USAGE = "请在命令后写上您的真实姓名，例如：/join 张三"
# 登记姓名 (or /join alone, in private) asks; a reply to this question is the name.
JOIN_ASK = "请回复您的真实姓名（与支部名单一致）"
JOIN_ASK_PLACEHOLDER = "您的真实姓名"
JOIN_BAD_NAME = "姓名应为 1 到 20 个字，只含汉字、字母、空格、“·”或“-”，例如：/join 张三"
JOIN_DONE = "已登记您的姓名：{name}。"
JOIN_DONE_IN_BRANCH = "已登记您的姓名：{name}，并加入{branch}名单。"

# --- binding
BIND_USAGE = "请写上支部 ID，例如：/bind {example}\n可用的支部 ID：{ids}"
BIND_UNKNOWN_BRANCH = "没有 ID 为“{branch_id}”的支部。可用的支部 ID：{ids}"
BIND_NOT_ALLOWED = "只有本群的群主、群管理员或机器人管理员可以绑定支部。"
BIND_DONE = (
    "✅ 本群已绑定到“{branch}”。请大家点下面报到消息里的“报到”。"
    "书记请点“私聊机器人”，以后学习总结和名单提醒会私下发给您。"
)
BIND_ALREADY = "本群已经绑定到“{branch}”，无需重复绑定。"
BIND_CHAT_TAKEN = "本群已绑定到“{branch}”。如需改绑，请先发送 /unbind 解除绑定。"
BIND_BRANCH_TAKEN = (
    "“{branch}”已绑定到另一个群。请先在那个群里发送 /unbind，"
    "或请机器人管理员在本群发送 /bind {branch_id} 强制改绑。"
)
BIND_MOVED = "✅ 本群已绑定到“{branch}”（原群“{old_chat}”已解除绑定）。"
BIND_NEEDS_TRUST = (
    "“{branch}”以前绑定过群，名单和记录都还保留着。为防止他人接管，重新绑定须由机器人管理员，"
    "或 schedules.yaml 中登记的该支部书记（secretaries）在群里发送 /bind。"
)
UNBIND_NOT_BOUND = "本群尚未绑定任何支部。"
UNBIND_DONE = "已解除本群与“{branch}”的绑定。支部名单和记录都会保留。"
BIND_ACTOR = "{name}（ID {user_id}）"
ADMIN_BOUND = (
    "ℹ️ {actor}把群“{chat}”（ID {chat_id}）绑定到了“{branch}”（{branch_id}）。"
    "如果这不是你们安排的，请点下面的按钮撤销。"
)
ADMIN_BIND_MOVED = (
    "ℹ️ {actor}把“{branch}”（{branch_id}）从群“{old_chat}”改绑到群“{chat}”（ID {chat_id}）。"
    "如果这不是你们安排的，请点下面的按钮撤销（原群不会自动恢复绑定）。"
)
ADMIN_UNBOUND = "ℹ️ {actor}在群“{chat}”（ID {chat_id}）解除了与“{branch}”（{branch_id}）的绑定。"
UNDO_BIND_BUTTON = "撤销绑定"
UNDO_BIND_DONE = "✅ 已撤销：群“{chat}”不再绑定“{branch}”。支部名单和记录都会保留。"
UNDO_BIND_GONE = "这个绑定已经不在了（已撤销、已解除，或已改绑到别的群），未做任何改动。"
UNDO_BIND_NOT_ADMIN = "只有机器人管理员可以撤销绑定。"

# --- notices to admins
ADMIN_BOT_REMOVED = (
    "⚠️ 机器人已被移出“{branch}”的群（{chat}），该支部现为未绑定状态。"
    "请把机器人重新拉进支部群，再发送 /bind {branch_id}。"
)
ADMIN_CHAT_MIGRATED = "ℹ️ “{branch}”的群已升级为超级群，绑定已自动跟随到新群。"
ADMIN_UPDATE_SKIPPED = (
    "⚠️ 机器人连续 {exits} 次在处理同一条更新时意外退出（可能是内存不足或程序崩溃）。"
    "为免反复重启，这条更新已跳过，不再处理：\n"
    "类型：{kind}\n来自：{sender}\n更新编号：{update_id}\n"
    "按钮会回复对方“请再按一次”，其他操作没有得到回应，必要时请对方重新操作；原因请查看日志。"
)
# A skipped button press is still answered, so the member's button stops spinning.
UPDATE_SKIPPED_PRESS = "这次操作没有完成，请再按一次。"
UPDATE_KINDS = {
    "message": "消息",
    "edited_message": "编辑过的消息",
    "channel_post": "频道消息",
    "edited_channel_post": "编辑过的频道消息",
    "callback_query": "按钮点击",
    "poll": "投票状态变化",
    "poll_answer": "投票答案",
    "my_chat_member": "机器人在群里的身份变化",
    "chat_member": "群成员变化",
    "chat_join_request": "入群申请",
    "inline_query": "内联查询",
}
UPDATE_KIND_OTHER = "其他（{kind}）"
UPDATE_SENDER = "{name}（ID {user_id}）"
UPDATE_SENDER_IN_CHAT = "{sender}，在“{chat}”"
UPDATE_SENDER_UNKNOWN = "未知"

# --- roster and branches
ROSTER_HEADER = "{branch}名单（共 {count} 人）："
ROSTER_LINE = "{index}. {name}{note}"
ROSTER_NO_REAL_NAME = "（未登记姓名）"
ROSTER_EMPTY = "{branch}名单暂时为空。成员在群里发言或点按钮后会自动加入。"
ROSTER_PRIVATE_USAGE = "请写上支部 ID，例如：/roster {example}"
ROSTER_NOT_YOURS = "您不是“{branch}”的书记，不能查看该支部名单。"
ROSTER_TITLE = "{branch}名单"
ROSTER_LIST_COUNTS = "名单 {listed} 人 · 已报到 {reported} 人"
ROSTER_UNREPORTED = "未报到：{names}"
ROSTER_UNLISTED = "群内未在名单：{names}"
ROSTER_NO_LIST = (
    "（以上是群里见过的人。上传本支部名单后，从未发言的同志也会计入：私聊我发送名单表格"
    "（.xlsx 或 .csv），或发送 /roster add 张三 李四）"
)
ROSTER_GROUP_GAP = "群成员 {members} 人，机器人已知 {reported} 人（其余请点群里的“报到”）"
ROSTER_ON_LEAVE = "今日请假：{names}"
ROSTER_ADD_USAGE = "请写上姓名，例如：/roster add 张三 李四"
NAMES_MORE = " 等 {count} 人"

# --- the 名单: uploading it, claiming an entry
LIST_REPLACED = (
    "✅ 已更新{branch}名单：共 {count} 人（{categories}）。\n"
    "已报到 {claimed} 人，未报到 {unclaimed} 人。发送 /roster 查看详情。"
)
LIST_ADDED = (
    "✅ 已加入{branch}名单 {count} 人：{names}（类别记为正式党员；需要修改请上传名单表格）"
)
LIST_ADD_SKIPPED = "已在名单中，未重复加入：{names}"
LIST_TOO_BIG = "文件“{name}”超过 {limit} MB，名单表格不应这么大，请检查后重新发送。"
LIST_NOT_SECRETARY = "只有支部书记或机器人管理员可以管理名单，请把名单交给支部书记上传。"
LIST_PICK_BRANCH = "您负责多个支部，请在文件说明（caption）里写上支部 ID，例如：{example}"
CLAIM_DONE = "✅ 已将您登记为{branch}名单中的“{name}”。"
CLAIM_WHICH = "名单中有不止一位“{name}”，请选择您自己："
CLAIM_PICK_LABEL = "{name}（{note}）"
CLAIM_TAKEN = "{branch}名单中的“{name}”已由另一个账号报到。如有误，请联系支部书记。"
CLAIM_NOT_LISTED = "“{name}”不在{branch}名单中，请核对姓名，或请书记把您加入名单。"
CLAIM_GONE = "名单已更新，这个选项已失效。请重新发送 /join 姓名。"
CLAIM_PICK_PROMPT = "请在下面选择您的姓名（或发送 /join 姓名）："

# --- roll call (报到)
ROLL_CALL = (
    "📋 {branch}报到\n"
    "本群已绑定“{branch}”。机器人在工作日推送主题党日、三会一课提醒和理论学习任务，"
    "记录大家的学习和答题情况，自动生成台账，不必另行填报。\n"
    "请每位同志点一下“报到”（只需一次）。\n{count}"
)
ROLL_CALL_COUNT = "已报到 {reported} / 群成员 {members} 人"
ROLL_CALL_COUNT_ONLY = "已报到 {reported} 人"
ROLL_CALL_BUTTON = "报到"
ROLL_CALL_PRIVATE_BUTTON = "私聊机器人"
ROLL_CALL_DONE = "✅ 已报到，谢谢！"
ROLL_CALL_DONE_NAME_NEEDED = (
    "✅ 已报到。请再登记真实姓名：点“私聊机器人”选择姓名，或在群里发送 /join 姓名。"
)
ROLL_CALL_REPLACED = "📋 这次报到已结束，请在最新的报到消息中报到。"
BOT_NOT_ADMIN = (
    "⚠️ 机器人还不是本群管理员，看不到群里的普通消息和新成员入群，名单会不完整。"
    "请群主设置：群设置 → 管理员 → 添加管理员 → 选择本机器人（不需要任何额外权限）。"
)

# --- dates on the 名单 (政治生日, 预备期)
BIRTHDAY_GREETING = (
    "🎂 今天是 {names} 同志的政治生日，{branch}祝政治生日快乐！不忘初心、牢记使命。"
)
BIRTHDAY_LIST = (
    "📅 {branch}{month}月政治生日名单：\n{lines}\n机器人会在当天（遇休息日顺延）在群里祝贺。"
)
BIRTHDAY_LIST_LINE = "{name}：{month}月{day}日，入党 {years} 周年"
PROBATION_REMINDER = (
    "📌 {branch}预备党员 {name}（{joined} 入党）的预备期将于 {end} 期满。"
    "请提前准备转正：本人提交转正申请，支部征求意见、进行审查，提交支部党员大会讨论。"
)

# --- meetings (三会一课, 主题党日)
QUARTER_LABEL = "{year}年第{quarter}季度"
CADENCE_LINE = "{scope}组织生活：{parts}"
CADENCE_PART = "{mark}{kind} {held} 次"
CADENCE_THIS_MONTH = "本月"
CADENCE_THIS_QUARTER = "本季度"
CADENCE_DUE = (
    "⏳ {branch}：{period}还剩 {days} 天，以下会议还没有登记：{kinds}。"
    "开会后请在群里发送 /meeting 登记。"
)
CADENCE_MISSED = "⚠️ {branch}{period}以下组织生活未开展或未登记：{kinds}。"
CADENCE_MISSED_ADMIN = "📋 组织生活督查：{branch}（{branch_id}）{period}没有登记：{kinds}。"
CADENCE_COMPLIANCE = "，本季度组织生活 {met}/{needed}"
TERM_REMINDER = (
    "🗳 {branch}支部委员会任期将于 {end} 届满（还有 {days} 天），请提前做好换届选举准备；"
    "换届后请管理员在 schedules.yaml 里更新 term 的 elected 日期。"
)
TERM_OVERDUE = "，⚠️ 换届已逾期（任期 {end} 届满）"
MEETING_PICK_KIND = "登记会议：请选择会议类型。"
MEETING_FROM_PROMPT = "📝 登记会议"
MEETING_PICK_DAY = "登记{kind}：请选择会议日期。"
MEETING_DAY_LABELS = ("今天（{day}）", "昨天（{day}）", "前天（{day}）")
MEETING_ASK_TOPIC = (
    "请回复本条消息，写上这次{kind}（{day}）的主题，例如：学习《中国共产党纪律处分条例》。"
)
MEETING_FUTURE_DAY = "会议日期不能晚于今天。"
MEETING_TOPIC_EMPTY = "会议主题不能为空，请回复上一条消息写上主题。"
MEETING_TOPIC_TOO_LONG = "会议主题最多 {limit} 个字，请改短后再回复。"
MEETING_SIGN_IN = (
    "📝 {branch}{kind}签到\n日期：{day}\n主题：{topic}\n主持人：{host}\n"
    "参会的同志请点“签到”，不能参加的点“请假”。会议照片、材料请回复本条消息发送。\n"
    "已签到 {present} 人 · 请假 {excused} 人"
)
MEETING_RECORD = (
    "📋 {branch}{kind}记录\n日期：{day}\n主题：{topic}\n主持人：{host}\n"
    "应到 {expected} 人，实到 {present_count} 人：{present}\n"
    "请假 {excused_count} 人：{excused}\n缺席 {absent_count} 人：{absent}\n附件 {attachments} 个"
)
MEETING_SIGN_IN_BUTTON = "签到"
MEETING_LEAVE_BUTTON = "请假·{reason}"
MEETING_CLOSE_BUTTON = "结束签到"
MEETING_SIGNED_IN = "✅ 已签到。"
MEETING_ON_LEAVE = "✅ 已登记请假（{reason}）。"
MEETING_CLOSED_ALREADY = "这次会议的签到已经结束。"
MEETING_GONE = "找不到这次会议，按钮已失效。"
MEETING_NOT_SECRETARY = "只有支部书记可以登记会议和结束签到，请联系本支部书记。"
MEETING_ATTACHED = "📎 已附到{kind}（{day}）记录，共 {count} 个附件。"
MEETING_EDIT_USAGE = "更正会议记录请发送 /meeting edit。"
MEETING_EDIT_PICK = "请选择要更正的会议记录（本月和上月）："
MEETING_EDIT_PICK_BUTTON = "{day} {kind}：{topic}"
MEETING_NOTHING_TO_EDIT = "本月和上月还没有已结束签到的会议记录可以更正。"
MEETING_EDIT_HINT = (
    "✏️ 更正这份记录：点“改主题”“改主持人”，或为缺席的同志点“补签到”。"
    "每次更正都会记入台账的更正记录。"
)
MEETING_EDIT_FIELD_BUTTON = "改{field}"
MEETING_MARK_PRESENT_BUTTON = "补签到·{name}"
MEETING_ASK_EDIT = "请回复本条消息，写上{kind}（{day}）新的{field}。"
MEETING_EDITED = "✅ 已更正{kind}（{day}）的{field}为：{value}（已记入更正记录）。"
MEETING_MARKED_PRESENT = "✅ 已为{name}补签到，已记入更正记录。"
MEETING_MARKED_ALREADY = "这位同志已经不在缺席名单里了。"
MEETING_ATTENDANCE_FIELD = "{name}出席情况"
MEETING_ABSENT_WORD = "缺席"
MEETING_PRESENT_WORD = "实到（补签到）"
MEETING_FILE_TOO_BIG = "文件超过 {limit} MB，只记下了文件，未保存副本。"

# --- leave (请假)
LEAVE_USAGE = (
    "请这样写：/leave 姓名 月份 事由，例如 /leave 张三 2026-11 病假；"
    "或写起止日期：/leave 张三 2026-11-03 2026-11-20 外出学习。"
    "常用事由：病假、产假、外出学习、因公出差。撤销请写：/leave 张三 2026-11 取消"
)
LEAVE_BAD_DAYS = "“{word}”不是月份或日期，请写成 2026-11 或 2026-11-03。"
LEAVE_BACKWARDS = "结束日期 {last} 早于开始日期 {first}。"
LEAVE_TOO_LONG = "一次请假最长 {days} 天，请分开登记。"
LEAVE_REASON_TOO_LONG = "事由最多 {limit} 个字。"
LEAVE_UNKNOWN_NAME = "本支部没有“{name}”。成员有：{names}"
LEAVE_NAME_SHARED = "本支部有不止一位“{name}”，请先让他们登记不同的姓名（如加科室），再登记请假。"
LEAVE_DONE = (
    "✅ 已登记：{name} {first} 至 {last} 请假（{reason}）。期间不计入参与率，也不会收到提醒。"
)
LEAVE_WHICH_BRANCH = "您负责的几个支部都有“{name}”，请在该支部群里发送 /leave。"
LEAVE_NOWHERE = "您负责的支部里都没有“{name}”，请核对姓名。"
LEAVE_BUTTON = "登记请假"
LEAVE_PICK_MEMBER = "请选择请假的同志（登记其他时段请发送 /leave 姓名 起始日期 结束日期 事由）："
LEAVE_PICK_REASON = "{name} {month} 请假，事由是："
LEAVE_BUTTON_GONE = "名单已变，这个按钮已失效。请重新发送 /roster。"
LEAVE_CANCELLED = "✅ 已撤销 {name} 的 {count} 条请假记录。"
LEAVE_NOTHING_TO_CANCEL = "{name} 在这段时间没有请假记录。"
BRANCHES_HEADER = "全部支部（{count} 个）："
BRANCHES_BOUND = "✅ {name}（{branch_id}）— 已绑定群“{chat}”，名单 {members} 人"
BRANCHES_UNBOUND = "⛔ {name}（{branch_id}）— 未绑定"
NOT_A_BRANCH_GROUP = "本群尚未绑定支部，请群管理员发送 /bind 支部ID。"

# --- scheduled pushes (notices to admins)
PUSH_UNBOUND_HEADER = "⚠️ 以下支部尚未绑定群，这些推送未能发出："
PUSH_UNBOUND_LINE = "· {branch}（{branch_id}）：{pushes}"
PUSH_UNBOUND_PUSH = "{schedule}（{time}）"
PUSH_UNBOUND_SEPARATOR = "、"
PUSH_UNBOUND_FOOTER = (
    "请支部书记在本支部群里发送 /bind 支部ID。暂时不用机器人的支部，可点下面的按钮暂停推送，"
    "以后在 /branches 里恢复。这份清单每天最多发一次。"
)
PUSH_PAUSE_BUTTON = "暂停该支部推送：{branch}"
PUSH_RESUME_BUTTON = "恢复推送：{branch}"
PUSH_PAUSED = "⏸ 已暂停向{branch}推送。需要时点下面的按钮，或在 /branches 里恢复。"
PUSH_ALREADY_PAUSED = "{branch}的推送已经是暂停状态。"
PUSH_RESUMED = "▶️ 已恢复向{branch}推送，从下一次推送起照常发出。"
PUSH_NOT_PAUSED = "{branch}的推送没有暂停，照常发出。"
PUSH_PAUSE_NOT_ADMIN = "只有机器人管理员可以暂停或恢复支部推送。"
PUSH_PAUSE_UNKNOWN = "这个按钮已失效：schedules.yaml 里已没有这个支部。"
BRANCHES_PAUSED = "，⏸ 推送已暂停"
BRANCHES_SUMMARY = (
    "全部支部 {count} 个：已绑定 {bound} 个，未绑定 {unbound} 个，"
    "推送暂停 {paused} 个，换届逾期 {overdue} 个。"
)
BRANCHES_TOP = "{header}（前 {count} 名）："
BRANCHES_PAGES_FOLLOW = "各支部明细和完整排名分 {pages} 页，见下一条消息，点“上一页”“下一页”翻看。"
BRANCHES_PAGE = "全部支部 · 第 {page}/{pages} 页"
BRANCHES_NOT_ADMIN = "只有机器人管理员可以查看全部支部。"
BRANCHES_PREVIOUS = "◀ 上一页"
BRANCHES_NEXT = "下一页 ▶"
BIND_PUSHES_PAUSED = "注意：该支部的推送已暂停，管理员可在 /branches 里点“恢复推送”。"
PUSH_MISSED_HEADER = "⚠️ 机器人停机期间错过了以下推送（已超过 {hours} 小时，不再补发）："
PUSH_UNCERTAIN_HEADER = (
    "⚠️ 以下推送发送时机器人中断或超时，无法确认是否送达。请到群里核对；"
    "确认没有收到的，点下面对应的按钮补发（收到了就不要点，以免重复）："
)
RESEND_BUTTON = "补发：{push}"
RESEND_DONE = "✅ 已补发到{branch}。"
RESEND_GONE = "这条推送已经补发过，或已不在计划中，无需再发。"
RESEND_UNBOUND = "{branch}现在没有绑定群，无法补发。请在支部群里发送 /bind {branch_id} 后再点。"
RESEND_LATER = "Telegram 暂时发不出去，请过几分钟再点一次补发。"
RESEND_NOT_ADMIN = "只有机器人管理员可以补发推送。"
PUSH_FAILED = (
    "⚠️ 推送“{schedule}”发到{branch}失败，Telegram 的答复是：{reason}\n"
    "这条推送不会自动重发。请确认该支部的群还在、机器人还在群里；"
    "如已换群，请在新群里发送 /bind {branch_id}，并把这条内容转告支部。"
)
PUSH_LABEL = "{branch} {time} {schedule}"
PUSH_LINE = "· {push}"

# --- holidays (core/dates/workdays.py, core/scheduling/holiday_warning.py)
HOLIDAY_BY_RULE = "{name}（按法定假日推算）"
HOLIDAYS_MISSING = (
    "📅 机器人还没有 {year} 年的放假安排：chinesecalendar 包里没有，"
    "schedules.yaml 的 calendar: 里也没有写 {year} 年的日子。\n"
    "在此之前，{year} 年按法定假日规则推算（元旦、春节、清明节、劳动节、端午节、中秋节、国庆节，"
    "逢周末补假），不知道哪些周末调休上班，推送可能落在实际的假期里。\n"
    "国务院公布 {year} 年放假安排后，请在 schedules.yaml 里按通知写上放假和调休上班的日子，"
    "例如：\n"
    "calendar:\n"
    "  holidays: [{year}-10-01..{year}-10-07]   # 放假：单日或“起..止”\n"
    "  workdays: [{year}-10-10]                 # 调休上班\n"
    "然后发送 /reload（或重启机器人）。每周提醒一次，写上后不再提醒。"
)

# --- study tasks
STUDY_TASK = (
    "📖 {month}月理论学习：{title}\n\n{body}{link}{points}\n\n"
    "截止时间：{due}\n已完成 {done}/{total}"
)
STUDY_LINK = "\n学习链接：{link}"
STUDY_POINTS = "\n\n学习要点：\n{lines}"
STUDY_POINT_LINE = "{number}. {point}"
STUDY_BUTTON = "✅ 学完了"
STUDY_READ_BUTTON = "📄 阅读原文"
STUDY_DONE = "已记录：您已学完“{title}”。"
STUDY_ALREADY_DONE = "您已经点过“学完了”，无需重复点击。"
STUDY_UNKNOWN = "这条学习任务已不存在，请联系支部书记。"
STUDY_NOT_MEMBER = (
    "这是{branch}的学习任务，您不在该支部名单中。如果您是本支部党员，请在群里发送 /join 姓名，"
    "或请支部书记把您加入名单。"
)
STUDY_REMIND_GROUP = (
    "⏰ 学习提醒：“{title}”将于 {due} 截止。截至{today}，以下同志尚未学完：\n{mentions}\n"
    "学完后请点下面的“学完了”。"
)
STUDY_REMIND_PRIVATE = (
    "⏰ 学习提醒：{branch}的学习任务“{title}”将于 {due} 截止，您还没有点“学完了”。"
    "学完后请点下面的按钮。"
)
STUDY_SUMMARY = (
    "📋 {branch}学习任务“{title}”已截止。\n"
    "已完成 {done_count} 人：{done}\n未完成 {pending_count} 人：{pending}"
)
STUDY_SUMMARY_EXCUSED = "请假：{names}"
FOR_SECRETARY_IN_GROUP = (
    "{mentions}：机器人无法私聊您，只能发在群里（请私聊机器人发送 /start，"
    "以后就会私下发给您）。\n\n{text}"
)
SECRETARY_WORD = "书记"
STUDY_SUMMARY_UNDELIVERED = (
    "⚠️ {branch}没有能私聊联系的书记（请书记先私聊机器人发送 /start），总结如下：\n{summary}"
)
NOBODY = "无"
QUIZ_UNAVAILABLE = "题库功能尚未启用"

# --- quizzes: choosing questions
QUIZ_USAGE = (
    "用法：/{command} [题库ID或标签] [题数]，题数 1～{max} 道，默认 {default} 道。\n"
    "例如：/{command} {example} 10"
)
QUIZ_BAD_COUNT = "题数应为 1～{max} 之间的整数，例如：/{command} 10"
QUIZ_UNKNOWN_SELECTOR = (
    "没有 ID 或标签为“{selector}”的题库。可用的题库：{banks}\n可用的标签：{tags}"
)
QUIZ_NO_BANKS = "目前没有可用的题库，请联系机器人管理员。"
QUIZ_TYPE_NAMES = {"single": "单选题", "multiple": "多选题", "judge": "判断题"}
QUIZ_ALL_TITLE = "综合"

# --- quizzes: private chat
QUIZ_CHOOSE_COUNT = "请选择这组答题的题数："
QUIZ_COUNT_BUTTON = "{count} 题"
QUIZ_CHOOSE_SELECTION = "这组答 {count} 题。请选择题库或专题："
QUIZ_CHOSEN = "已选择：{title}，{count} 题。"
QUIZ_CHOICE_GONE = "这个题库或专题已经没有了，请重新选择。"
QUIZ_CHOICE_STARTED = "这组答题已经开始了，请在题目下面作答。"
QUIZ_UNFINISHED = "您还有一组答题没有完成（已答 {done}/{total} 题）。接着答，还是重新开始？"
QUIZ_CONTINUE = "继续（还剩 {left} 题）"
QUIZ_ABANDON = "放弃并开始新的一组"
QUIZ_ABANDON_FOR_REVIEW = "放弃并开始错题复习"
QUIZ_ABANDONED = "已放弃未完成的一组（已答的题照常计分）。"
QUIZ_ALREADY_CONTINUED = "已经接着答了，请在最新的题目下面作答。"
QUIZ_SESSION_GONE = (
    "这组答题已经结束或已放弃，不用再点了。点“开始答题”或发送 /quiz 再来一组。"
)
QUIZ_RESUMING = "接着答第 {number} 题（共 {total} 题）："
QUIZ_QUESTION = "第 {number}/{total} 题 · {kind}\n{text}"
QUIZ_MULTIPLE_HINT = "（多选：点选所有正确选项，再点“提交”）"
QUIZ_OPTION_LINE = "{letter}. {option}"
QUIZ_SUBMIT = "提交"
QUIZ_CHECKED = "☑"
QUIZ_UNCHECKED = "☐"
QUIZ_RIGHT = "✅ 回答正确！"
QUIZ_WRONG = "❌ 回答错误。"
QUIZ_FEEDBACK = "{verdict}\n您的答案：{chosen}\n正确答案：{answer}"
# Each line only when the bank has it (an imported bank often has neither).
QUIZ_FEEDBACK_EXPLANATION = "解析：{explanation}"
QUIZ_FEEDBACK_SOURCE = "出处：{source}"
QUIZ_REPLY_RIGHT = "✅ 回答正确"
QUIZ_REPLY_WRONG = "❌ 回答错误，正确答案：{answer}"
QUIZ_SELECTED = "已选：{chosen}。选好后请点“提交”。"
QUIZ_SELECTED_NONE = "还没有选择选项。"
QUIZ_CHOOSE_FIRST = "请先选择至少一个选项，再点“提交”。"
QUIZ_DONE = "🎉 答题完成！本组共 {total} 题，答对 {right} 题，正确率 {rate}%。"
QUIZ_DONE_REVIEW_HINT = "答错的题已记入错题本，点“错题复习”或发送 /review 复习。"
QUIZ_DONE_AGAIN_HINT = "点“开始答题”或发送 /quiz 再来一组。"
# The end of a private quiz or review: the points it earned, as /me and /top count them.
QUIZ_POINTS_EARNED = "本次得分：{earned} 分"
QUIZ_POINTS_TODAY = "今日积分：{today} 分（每天最多 {cap} 分）"
QUIZ_POINTS_CAPPED = "今天的积分已满 {cap} 分，明天答对的题会继续计分。"
QUIZ_POINTS_MONTH = "本月积分：{points} 分，{branch}第 {rank} 名"
QUIZ_POINTS_MONTH_UNRANKED = "本月积分：{points} 分"
QUIZ_POINTS_NO_BRANCH = (
    "您还不在任何支部名单中，答题暂不计入积分。请在支部群里发言或点“登记姓名”，"
    "加入名单后答题即可计分。"
)
REVIEW_DONE = "📘 复习完成！本次复习 {total} 题，答对 {right} 题"
REVIEW_REMOVED = "，其中 {removed} 题已从错题本移除"
REVIEW_LEFT = "；错题本还有 {left} 题，下次再练。"
REVIEW_CLEARED = "；错题本已经清空，继续保持！"
REVIEW_EMPTY = "您的错题本是空的，继续保持！发送 /quiz 开始答题。"
REVIEW_RULE = "同一道题在不同的两天连续答对，就会移出错题本。"
QUIZ_BAD_BUTTON = "这个按钮已失效。发送 /quiz 继续答题。"
QUIZ_NOT_YOURS = "这不是您的题目，请发送 /quiz 开始您自己的答题。"
QUIZ_ALREADY_ANSWERED = "这道题已经作答过了，以第一次作答为准。"
# In private the next question may not have gone out (the bot restarted): say how to go on.
QUIZ_ALREADY_ANSWERED_PRIVATE = (
    "这道题已经作答过了，以第一次作答为准。没看到下一题的话，请发送 /quiz 继续。"
)
QUIZ_FINISHED = "这组答题已经结束。点“开始答题”或发送 /quiz 再来一组。"
QUIZ_BUTTONS_REDRAWN = "这个按钮已更新，请按刷新后的按钮重新选择。"
QUIZ_SELECTION_CHANGED = (
    "按钮显示的不是您最新的选择，已为您刷新。当前已选：{chosen}。请核对后再点“提交”。"
)

# --- quizzes: branch groups
GROUP_QUIZ_INTRO = (
    "📝 {branch}知识测验：{title}\n共 {count} 题，{closes} 截止。\n"
    "请直接在下面的题目里作答，每题以第一次作答为准；截止后公布结果。"
)
GROUP_QUIZ_POLL_MULTIPLE = "（多选）"
GROUP_QUIZ_CLOSED = "这次测验已经截止，不能再作答了。"
GROUP_QUIZ_BAD_BUTTON = "这个按钮已失效，请在最新的测验题目下作答。"
GROUP_QUIZ_SEND_FAILED = "测验发送失败：{reason}"
GROUP_QUIZ_COMMAND_EDITED = (
    "这条命令已经发起过测验，修改它不会再发起一次。如需再发起测验，请发送新的 /groupquiz 命令。"
)
GROUP_QUIZ_USAGE = (
    "用法：/groupquiz [题库ID或标签] [题数] [时长]，顺序不限。题数 1～{max} 道，"
    "默认 {default} 道；时长如 30分钟、2小时、1天，最长 30 天，默认 {duration}。\n"
    "例如：/groupquiz {example} 5 30分钟"
)
GROUP_QUIZ_BAD_DURATION = "时长应写成 30分钟、2小时 或 1天，最短 5 分钟，最长 30 天。"
GROUP_QUIZ_SUMMARY = (
    "📊 {branch}知识测验“{title}”已截止。\n参与 {people} 人。\n各题答案和正确率：\n{lines}\n"
    "全部答对（{perfect_count} 人）：{perfect}"
)
GROUP_QUIZ_SUMMARY_LINE = (
    "第 {number} 题：{question}\n答案：{answer}；正确率 {rate}%（{right}/{answered}）"
)
GROUP_QUIZ_SUMMARY_NO_ANSWER = "第 {number} 题：{question}\n答案：{answer}；无人作答"
GROUP_QUIZ_QUESTION_GONE = "（此题已从题库删除）"
GROUP_QUIZ_SUMMARY_HARDEST = (
    "💡 正确率最低的是第 {number} 题（{rate}%）。\n解析：{explanation}\n出处：{source}"
)
GROUP_QUIZ_SUMMARY_UNDELIVERED = "⚠️ {branch}的测验结果未能发到群里：{reason}\n{summary}"
GROUP_QUIZ_SUMMARY_UNCERTAIN = (
    "⚠️ {branch}的测验结果发送时中断或超时，无法确认是否已发到群里。"
    "请到群里核对；没有收到的话，可把下面的结果转发到群里（机器人不会重发，以免重复）：\n{summary}"
)

# --- configuration problems found at start-up (to admins)
ADMIN_CONFIG_WARNINGS = (
    "⚠️ 以下配置有误，相关题库或测验计划未启用（其余功能正常运行）。"
    "请修正后运行 python bot.py check 检查，再重启机器人：\n{problems}"
)
ADMIN_CONFIG_WARNINGS_MORE = "……另有 {count} 处，请运行 python bot.py check 查看全部。"

# --- reports (/report, /me, /top, /branches)
REPORT_HEADER = "{branch} {month} 参与情况"
REPORT_TOTALS = (
    "参与 {participants}/{roster} 人（{rate}）· 学习 {done}/{expected} · {quiz} · 积分 {points}"
)
REPORT_MEMBER = "{name} 学习 {done}/{assigned} · {quiz} · 积分 {points}"
REPORT_QUIZ = "答题 {answered} 题 正确率 {rate}"
REPORT_QUIZ_NONE = "答题 0 题"
REPORT_LEFT_MARK = "（已离开）"
REPORT_UNREPORTED_MARK = "（未报到）"
REPORT_LEAVE_MARK = "（请假：{reason}）"
REPORT_GROUP_GAP = "群成员 {members} 人，已报到 {reported} 人（未报到的请点群里的“报到”）"
REPORT_EXCUSED = "请假（不计入参与率）：{names}"
REPORT_EXCUSED_NAME = "{name}（{reason}）"
REPORT_NO_MEMBERS = "花名册上还没有成员。"
REPORT_NOT_YET = "尚未参与：{names}"
REPORT_ALL_TOOK_PART = "全员已参与。"
REPORT_TRUNCATED = "……另有 {count} 人未列出，完整名单请用 /export 导出。"
REPORT_NAME_SEPARATOR = "、"
REPORT_UNKNOWN_NAME = "用户{user_id}"
MONTH_LABEL = "{year}年{month}月"
YEAR_LABEL = "{year}年"
BAD_PERIOD = (
    "“{word}”不是月份、季度或年份。请写成 10月、上月、2026年10月、2026-10（月），"
    "本季度、上季度、2026Q4（季度），或 今年、2026（年）。"
)
BAD_MONTH = "“{word}”不是月份。请写成 10月、上月、本月、2026年10月 或 2026-10。"
MONTH_IN_FUTURE = "{period}还没到，请选本月或以前的月份。"
PERIOD_IN_FUTURE = "{period}还没开始，请选已经开始的月份、季度或年份。"
ME_HEADER = "{name} 本月情况"
ME_STUDY = "学习任务：完成 {done}/{assigned}，按时 {on_time}"
ME_QUIZ = "答题：{answered} 题，答对 {correct} 题，正确率 {rate}"
ME_QUIZ_NONE = "答题：本月还没有答题"
ME_POINTS = "积分：{points}"
ME_REVIEW = "错题本：{count} 题待复习"
TOP_HEADER = "{branch} {month} 积分榜"
TOP_LINE = "{rank}. {name} {points} 分"
TOP_EMPTY = "本月还没有人获得积分。"
# /rules: the points rule of schedules.yaml, as members read it.
RULES_HEADER = "📋 积分规则"
RULES_STUDY = "· 按时完成学习任务（截止前点“学完了”）：每项 {points} 分"
RULES_ANSWER = "· 答对一道题（私聊答题、错题复习、群内测验）：每题 {points} 分"
RULES_NO_POINTS = "· {action}：不计分"
RULES_STUDY_ACTION = "完成学习任务"
RULES_ANSWER_ACTION = "答题"
RULES_CAP = "· 每人每天最多 {cap} 分，超出的不计"
RULES_FOOTER = (
    "逾期完成的任务和答错的题不计分。积分算在完成或答题的当天，每月重新累计。\n"
    "发送 /me 查看本月积分，/top 查看本支部积分榜。"
)
RANKING_HEADER = "{month} 各支部参与率"
RANKING_LINE = "{rank}. {branch} {rate}（{participants}/{roster}）"
RANKING_UNBOUND = "{branch} —（未绑定）"
RANKING_EMPTY = "还没有支部的数据。"

# --- the .xlsx export
EXPORT_MEMBERS_SHEET = "成员"
EXPORT_TASKS_SHEET = "学习任务"
EXPORT_ANSWERS_SHEET = "答题记录"
EXPORT_MEMBER_HEADERS = (
    "姓名",
    "用户ID",
    "在册",
    "应学任务",
    "已完成",
    "按时完成",
    "答题数",
    "答对数",
    "正确率",
    "积分",
    "本月参与",
)
EXPORT_MEETINGS_SHEET = "组织生活"
EXPORT_MEETING_HEADERS = (
    "日期",
    "类型",
    "主题",
    "主持人",
    "应到",
    "实到",
    "请假",
    "缺席",
    "附件数",
)
EXPORT_PEOPLE = "{count} 人：{names}"
EXPORT_LIST_SHEET = "名单"
EXPORT_LIST_HEADERS = (
    "姓名",
    "类别",
    "报到",
    "用户ID",
    "请假",
    "入党日期",
    "转正日期",
    "备注",
    "本月参与",
)
EXPORT_NOT_LISTED = "（未在名单）"
EXPORT_EXCUSED = "请假"
EXPORT_LEAVE = "{reason}（{first}至{last}）"
EXPORT_TASK_HEADERS = (
    "任务ID",
    "标题",
    "下发时间",
    "截止时间",
    "完成人数",
    "按时完成人数",
    "应完成人数",
    "完成率",
)
EXPORT_ANSWER_HEADERS = (
    "时间", "姓名", "用户ID", "题库", "题号", "题目", "所选", "结果", "方式",
)  # fmt: skip
EXPORT_PERIOD_TOOK_PART = "参与月数"
EXPORT_PAGE_FOOTER = "第 &P 页，共 &N 页"
EXPORT_CORRECTIONS_SHEET = "更正记录"
EXPORT_CORRECTION_HEADERS = (
    "会议日期", "会议类型", "更正内容", "原为", "改为", "更正人", "更正时间",
)  # fmt: skip
EXPORT_QUESTION_GONE = "（题目已不在题库中）"
# --- the ledger's first sheet, for printing
LEDGER_SHEET = "台账"
LEDGER_NOT_STARTED = "{period}还没有开始，没有可导出的台账。"
LEDGER_TITLE = "{branch}{period}党建工作台账"
LEDGER_SPAN = "支部：{branch}　　期间：{first} 至 {last}"
LEDGER_MEETINGS_HEADING = "一、组织生活（三会一课、主题党日）"
LEDGER_MEETING_HEADERS = ("序号", "类型", "要求", "开展次数", "达标", "开展日期", "", "", "情况")
LEDGER_RULES = {"每月": "每月1次", "每季度": "每季度至少1次", "不要求": "不要求"}
LEDGER_MET = "达标"
LEDGER_MISSED = "缺：{periods}"
LEDGER_PENDING = "本期进行中"
LEDGER_NOT_REQUIRED = "不要求"
LEDGER_MONTHS_HEADING = "二、各月参与情况"
LEDGER_MONTH_HEADERS = (
    "序号", "月份", "参与/应参与", "参与率", "学习完成", "应完成", "答题数", "正确率", "未参与",
)  # fmt: skip
LEDGER_MEMBERS_HEADING = "三、党员学习与答题"
LEDGER_MEMBER_HEADERS = (
    "序号", "姓名", "类别", "学习完成/应学", "按时完成", "答题数", "正确率", "参与", "备注",
)  # fmt: skip
LEDGER_MONTHS_TOOK_PART = "{took}/{months} 个月"
LEDGER_LEFT = "已离开本支部"
LEDGER_UNREPORTED = "未报到"
LEDGER_LEAVE = "请假：{leave}"
LEDGER_SIGNATURES = "制表人：{maker}　　　　　　　　日期：{day}"
LEDGER_SECRETARY_SIGNS = "支部书记（签字）：　　　　　　　　"
LEDGER_DATE = "{year}年{month}月{day}日"
EXPORT_YES = "是"
EXPORT_NO = "否"
EXPORT_RIGHT = "正确"
EXPORT_WRONG = "错误"
EXPORT_MODE_NAMES = {"private": "私聊答题", "group": "群内答题", "review": "错题复习"}

# --- the report chart
CHART_TITLE = "{branch} {month} 每周参与情况"
CHART_X_LABEL = "本月日期"
CHART_Y_LABEL = "百分比（%）"
CHART_PARTICIPATION = "参与率"
CHART_CORRECT_RATE = "答题正确率"
CHART_NO_CJK_FONT = (
    "找不到中文字体，图表无法显示汉字。请安装 Debian 软件包 {package}"
    "（apt-get install fonts-wqy-microhei），然后重启机器人。"
    " No CJK font found: install the Debian package {package}."
)

# --- /report, /export and their buttons
REPORT_USAGE = (
    "用法：/{command} [支部ID] [月份]，月份可写 10月、上月、本月、2026年10月 或 2026-10，"
    "默认本月（每月1日至5日默认上月）。例如：/{command} office {month}"
)
EXPORT_USAGE = (
    "用法：/export [支部ID] [期间]，期间写成月份（10月、上月、{month}）、"
    "季度（本季度、上季度、2026Q4）或年份（今年、2026），默认本月。"
)
REPORT_NOT_YOURS = "您不是“{branch}”的书记，不能查看该支部的情况。"
REPORT_OTHER_BRANCH = "在支部群里只能查看本支部。查看其他支部请私聊我发送 /{command} 支部ID。"
REPORT_PICK_BRANCH = "您负责多个支部，请选择要查看的支部（{month}）："
REPORT_BUTTON_LAST_MONTH = "◀ 上月（{month}月）"
REPORT_BUTTON_THIS_MONTH = "本月（{month}月）▶"
REPORT_BUTTON_NUDGE = "提醒未完成"
REPORT_BUTTON_EXPORT = "导出"
REPORT_BAD_BUTTON = "这个按钮已失效，请重新发送 /report。"
EXPORT_CAPTION = (
    "{title}：首页可直接打印，另附成员、名单、组织生活、更正记录、学习任务、答题记录。"
)
NUDGE_GROUP = (
    "⏰ {branch}学习提醒：截至{today}，以下同志本月尚未参加学习或答题：\n{mentions}\n"
    "请完成群里的学习任务（点“学完了”），或私聊我发送 /quiz 答题。"
)
NUDGE_MORE = " 等 {count} 人"
NUDGE_PRIVATE = (
    "⏰ {branch}书记提醒您：截至{today}，您本月尚未参加学习或答题。"
    "请完成支部群里的学习任务，或在这里发送 /quiz 答题。"
)
NUDGE_NOT_SECRETARY = "只有支部书记可以发送提醒。需要提醒大家时，请联系本支部书记。"
NUDGE_DONE = "已提醒 {count} 位尚未参与的同志：群里点名 {mentioned} 人，私聊送达 {private} 人。"
NUDGE_TOO_SOON = "本支部 {last} 已经提醒过，每小时最多提醒一次，请在 {next} 以后再试。"
NUDGE_NOBODY = "本月全员已参与，无需提醒。"
NUDGE_QUIET = "现在是夜间免打扰时段（{hours}），这时不发提醒，请在 {end} 以后再点。"
NUDGE_UNREPORTED = "另有 {count} 人尚未报到，机器人无法联系，请当面通知他们在群里点“报到”。"

# --- /me and /top
ME_NO_BRANCH = "您还不在任何支部名单中。请在本支部群里发言，或在群里发送 /join 姓名。"
ME_NOT_ON_ROSTER = "您不在“{branch}”的名单中。在群里发言或发送 /join 姓名 后即可加入。"

# --- /stats (admins)
STATS_USAGE = (
    "用法：/stats [题库ID] [月份或季度]，默认本月。例如：/stats discipline-basics {month}，"
    "或 /stats 2026Q4"
)
STATS_UNKNOWN_BANK = "没有 ID 为“{bank}”的题库。可用的题库：{banks}"
STATS_SCOPE_ALL = "全部题库"
STATS_SCOPE_BANK = "题库 {bank}"
STATS_HEADER = (
    "📊 {period}答题统计（{scope}）：{members} 人作答 {questions} 道题，共 {answers} 人次。"
)
STATS_TEACH = "最该讲的 {count} 道题（正确率最低）："
STATS_LINE = (
    "{rank}. {bank}/{question} {text} — {answered} 人作答，"
    "正确率 {rate}{discrimination}{distractor}"
)
STATS_DISCRIMINATION = "，区分度 {value:.2f}"
STATS_DISTRACTOR = "；误选最多的是 {label}（{count} 人）"
STATS_WEAK_TAGS = "各支部最薄弱的知识点："
STATS_WEAK_TAG = "{branch}：{tag}（正确率 {rate}，{answered} 人次）"
STATS_ATTACHED = "每道题的作答人数、正确率、区分度和误选情况见附件表格。"
STATS_NO_BRANCH = "（未入支部）"
STATS_EMPTY = "{month}还没有人答题（{scope}）。"
STATS_QUESTION_GONE = "（题目已不在题库中）"
STATS_FILE = "题目统计-{period}{scope}.xlsx"
STATS_SHEET_QUESTIONS = "题目"
STATS_SHEET_TAGS = "知识点"
STATS_QUESTION_COLUMNS = (
    "题库", "题号", "题干", "正确答案", "作答人数", "正确率", "区分度", "误选情况",
)  # fmt: skip
STATS_TAG_COLUMNS = ("支部", "标签", "作答人次", "正确率")
STATS_DISTRACTOR_CELL = "{label} {count} 人"

# --- /reload and configuration files sent to the bot (admins)
RELOAD_DONE = (
    "✅ 配置已重新加载并立即生效：{branches} 个支部，{schedules} 个推送计划，"
    "{banks} 个题库（共 {questions} 道题）。"
)
RELOAD_WARNINGS = "⚠️ 以下题库或测验计划有误，未启用（其余照常生效）：\n{problems}"
RELOAD_FAILED = (
    "⛔ schedules.yaml 有错，未重新加载，机器人继续使用原来的配置。"
    "请修正以下错误后再发送 /reload：\n{problems}"
)
UPLOAD_NOT_ADMIN = "只有机器人管理员可以发送配置文件。"
UPLOAD_DOWNLOAD_FAILED = (
    "下载文件“{name}”失败（Telegram 答复：{reason}），未做任何改动，请重新发送该文件。"
)
UPLOAD_NOT_YAML = (
    "“{name}”不是 .yaml 或 .yml 文件，未做任何改动。请把题库或 schedules.yaml 作为文件发给我。"
)
UPLOAD_TOO_BIG = (
    "“{name}”有 {size} 字节，超过 {limit} MB 的上限"
    "（Telegram 只允许机器人下载 {limit} MB 以内的文件），未做任何改动。"
)
UPLOAD_UNKNOWN_KIND = (
    "无法识别“{name}”：题库文件的顶层应有 questions:，schedules.yaml 的顶层应有 branches:。"
    "未做任何改动。"
)
UPLOAD_INVALID = "“{name}”未通过检查，未做任何改动：\n{problems}"
UPLOAD_INSTALLED_BANK = "✅ 题库 {bank}（{title}，{count} 道题）已保存为 {target}。"
UPLOAD_INSTALLED_SCHEDULES = (
    "✅ schedules.yaml 已更新：{branches} 个支部，{schedules} 个推送计划。"
)
UPLOAD_BACKUP = "原文件已备份为 {backup}。"

# --- spreadsheets sent to the bot (core/sheets.py): 名单 and question banks
SHEET_MORE_PROBLEMS = "……另有 {count} 处"
SHEET_AT_CELL = "第 {row} 行，{column}：{problem}"
SHEET_AT_ROW = "第 {row} 行：{problem}"
SHEET_NOT_A_SHEET = (
    "不是 .xlsx 或 .csv 文件。请在 Excel 中“另存为” .xlsx 或 CSV 后重新发送。"
)
SHEET_UNREADABLE_XLSX = (
    "无法打开：文件已损坏，或不是真正的 .xlsx 文件。请用 Excel 重新另存为 .xlsx。"
)
SHEET_UNREADABLE_CSV = "无法读取：既不是 UTF-8 也不是 GBK 编码的 CSV 文件。"
SHEET_MISSING_COLUMN = "缺少“{column}”列（表头应为第一个非空行，现有的列：{found}）"
SHEET_NO_COLUMNS = "无"
SHEET_REPEATED_COLUMN = "“{column}”列出现了不止一次"
SHEET_EMPTY_VALUE = "没有填写"

# --- question banks from a spreadsheet (core/config/bank_sheet.py)
BANK_SHEET_REFUSED = (
    "⛔ 题库表格{where}有 {count} 处问题，未做任何改动。请改正后重新发送：\n{problems}"
)
BANK_SHEET_NOT_ADMIN = "这是一份题库表格：只有机器人管理员可以导入题库，请把它转给管理员。"
BANK_SHEET_FILE = "“{file}”"
BANK_SHEET_FILE_AND_SHEET = "“{file}”（工作表“{sheet}”）"
BANK_SHEET_YAML_HEADER = (
    "# yaml-language-server: $schema=../docs/schema/quiz-bank.schema.json\n"
    "# 由表格“{file}”导入（python bot.py import-bank 或私聊发送表格）。\n"
    "# 再次导入同一题库 id 会覆盖本文件；不写题号时，题号由题干和选项算出，重新导入不变。\n"
)
BANK_SHEET_EMPTY = (
    "表格是空的：第一行应为表头（题干、选项A、选项B……、答案，选填题型、解析、出处、标签、题号）。"
)
BANK_SHEET_NO_ROWS = "表头下面没有题目，至少要有一行。"
BANK_SHEET_TOO_MANY = "题目超过 {limit} 行的上限，请分成几个题库。"
BANK_SHEET_REPEAT_DIFFERS = "题干和选项与第 {first} 行相同，答案却不同，请核对后删去一行"
# A problem with the bank's id or title (from the caption or the file name), by field.
BANK_SHEET_NAMING = {"id": "题库 id（发送时的说明文字或文件名）", "title": "题库标题（说明文字）"}
BANK_SHEET_REPEATS = "有 {count} 行与前面的题目完全相同，已跳过：{rows}"
BANK_SHEET_REPEAT = "第 {row} 行（同第 {first} 行）"
BANK_SHEET_OPTIONS_TWICE = "既有“选项”列又有“选项A”等列，请只用一种写法"
BANK_SHEET_OPTION_GAP = "没有填写，但后面还有选项（选项要从 A 起连续填写）"
BANK_SHEET_BAD_KIND = "“{value}”不是题型（单选、多选或判断；留空则按答案判断）"
BANK_SHEET_BAD_JUDGE = "判断题的答案应为 对/错、正确/错误 或 √/×，实际是“{value}”"
BANK_SHEET_BAD_ANSWER = (
    "“{value}”不是答案：请写选项字母（{choices}，多选如 ABD 或 A,B），或正确选项的原文"
)

# --- the bank template (core/config/bank_template.py, /template)
BANK_TEMPLATE_SHEET = "题库"
BANK_TEMPLATE_NOTES_SHEET = "填写说明"
BANK_TEMPLATE_CAPTION = (
    "📄 题库表格模板：在“题库”工作表里每行填一道题，保存后直接发给我即可导入。\n"
    "发送时可在说明文字里写“题库id 标题”，如：xxqg 学习强国题库；不写则用文件名。"
)
BANK_TEMPLATE_EXAMPLES = (
    ("单选", "《中国共产党纪律处分条例》规定，对党员的纪律处分种类共有几种？",
     "五种", "三种", "四种", "六种", "A",
     "条例第八条：对党员的纪律处分种类为警告、严重警告、撤销党内职务、留党察看、开除党籍。",
     "《中国共产党纪律处分条例》第八条", "纪律处分", ""),
    ("多选", "《中国共产党纪律处分条例》分则规定的纪律包括：",
     "政治纪律", "组织纪律", "廉洁纪律", "经济纪律", "ABC",
     "分则各章依次为政治纪律、组织纪律、廉洁纪律、群众纪律、工作纪律、生活纪律，没有“经济纪律”。",
     "《中国共产党纪律处分条例》第二编", "六项纪律", ""),
    ("判断", "党员受到严重警告处分，其影响期与警告处分相同，均为一年。",
     "", "", "", "", "错",
     "条例第十条：受到警告处分一年内、受到严重警告处分一年半内，不得在党内提拔职务或者进一步使用。",
     "《中国共产党纪律处分条例》第十条", "纪律处分", ""),
)  # fmt: skip
BANK_TEMPLATE_NOTES = (
    ("列", "怎么填"),
    ("题型", "单选、多选或判断；留空时按答案判断（对/错 为判断题，多个字母为多选题）。"),
    ("题干", "必填。填空处可写成下划线或留出空格，导入后显示为（　）。"),
    ("选项A…F", "单选、多选题从 A 起连续填写，2 到 6 个；判断题不填。"
     "也可只用一列“选项”，各选项之间用 | 或换行隔开。"),
    ("答案", "必填。选项字母，如 A；多选写 ABD 或 A,B；判断题写 对/错、正确/错误 或 √/×。"
     "也可以直接写正确选项的原文。"),
    ("解析", "选填。答题后显示，最好写明依据的条文，便于党员核对。"),
    ("出处", "选填。如《中国共产党纪律处分条例》第十条。"),
    ("标签", "选填。多个用顿号或逗号隔开；/quiz 标签 只抽带这个标签的题。"),
    ("题号", "选填。不填时由题干和选项自动生成，重新导入同一表格题号不变，"
     "答题记录和错题本都保留。"),
    ("", "表格有任何错误时，会列出每处错误所在的行和列，题库不做任何改动。"),
)  # fmt: skip

# --- 名单 files (core/roster/member_list.py)
MEMBER_LIST_COLUMN_NAME = "姓名"
MEMBER_LIST_COLUMN_CATEGORY = "类别"
MEMBER_LIST_COLUMN_JOINED = "入党日期"
MEMBER_LIST_COLUMN_CONFIRMED = "转正日期"
MEMBER_LIST_COLUMN_NOTE = "备注"
MEMBER_LIST_REFUSED = (
    "⛔ 名单“{file}”有 {count} 处问题，未做任何改动。请改正后重新发送：\n{problems}"
)
MEMBER_LIST_EMPTY_FILE = "表格是空的：第一行应为表头（姓名、类别，选填入党日期、转正日期、备注）。"
MEMBER_LIST_NO_ROWS = "表头下面没有成员，至少要有一行。"
MEMBER_LIST_TOO_MANY_ROWS = "成员超过 {limit} 行的上限，请按支部分开发送。"
MEMBER_LIST_SEPARATOR = "、"
MEMBER_LIST_BAD_NAME = "“{value}”不是有效的姓名（1 到 20 个字，只含汉字、字母、空格、“·”或“-”）"
MEMBER_LIST_BAD_CATEGORY = "“{value}”不是可选值（{choices}）"
MEMBER_LIST_BAD_DATE = "“{value}”不是日期，请写成 2020-07-01"
MEMBER_LIST_CONFIRMED_TOO_EARLY = "{confirmed} 早于入党日期 {joined}"
MEMBER_LIST_PROBATIONARY_NO_JOINED = "预备党员须填写入党日期（用于预备期满前的提醒）"
MEMBER_LIST_DUPLICATE = "“{name}”与第 {first} 行重名，请在备注中注明区别（如科室）"
MEMBER_NAMES_EMPTY = "请写上姓名，多个姓名用空格或顿号隔开，例如：张三 李四"
MEMBER_NAMES_BAD = "以下姓名无效（1 到 20 个字，只含汉字、字母、“·”或“-”）：{names}"
MEMBER_NAMES_QUOTED = "“{name}”"
