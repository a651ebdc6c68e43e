"""Every sentence the bot says to users, in Simplified Chinese, in one place."""

# --- general
UNEXPECTED_ERROR = "抱歉，处理时出现了意外错误，已通知管理员。请稍后再试。"
ADMIN_ERROR_REPORT = "⚠️ 机器人出错：{error}\n详情见日志。"
NOT_ALLOWED = "抱歉，/{command} 仅限{role}使用。发送 /help 查看您可以使用的命令。"
GROUP_ONLY = "/{command} 只能在支部群里使用。"
PRIVATE_ONLY = "/{command} 只能在与我的私聊中使用，请点开我的头像发送。"
ROLE_NAMES = {"member": "党员", "secretary": "支部书记或群管理员", "admin": "机器人管理员"}

# --- start and help
WELCOME = (
    "您好，{name}！我是支部学习助手。\n"
    "我会在支部群里推送主题党日、三会一课提醒和理论学习任务，也可以在这里私聊答题。\n"
    "请发送 /join 您的姓名 登记真实姓名，便于支部统计。发送 /help 查看全部命令。"
)
HELP_HEADER = "您可以使用以下命令："
HELP_LINE = "/{command}{args} — {description}"

# --- names
JOIN_USAGE = "请在命令后写上您的真实姓名，例如：/join 张三"
JOIN_BAD_NAME = "姓名应为 1 到 20 个字，只含汉字、字母、空格、“·”或“-”，例如：/join 张三"
JOIN_DONE = "已登记您的姓名：{name}。"
JOIN_DONE_IN_BRANCH = "已登记您的姓名：{name}，并加入{branch}名单。"

# --- binding
BIND_USAGE = "请写上支部 ID，例如：/bind {example}\n可用的支部 ID：{ids}"
BIND_UNKNOWN_BRANCH = "没有 ID 为“{branch_id}”的支部。可用的支部 ID：{ids}"
BIND_NOT_ALLOWED = "只有本群的群主、群管理员或机器人管理员可以绑定支部。"
BIND_DONE = "✅ 本群已绑定到“{branch}”。群成员发言、点按钮或答题后会自动加入支部名单。"
BIND_ALREADY = "本群已经绑定到“{branch}”，无需重复绑定。"
BIND_CHAT_TAKEN = "本群已绑定到“{branch}”。如需改绑，请先发送 /unbind 解除绑定。"
BIND_BRANCH_TAKEN = (
    "“{branch}”已绑定到另一个群（{chat}）。请先在那个群里发送 /unbind，"
    "或请机器人管理员在本群发送 /bind {branch_id} 强制改绑。"
)
BIND_MOVED = "✅ 本群已绑定到“{branch}”（原群“{old_chat}”已解除绑定）。"
UNBIND_NOT_BOUND = "本群尚未绑定任何支部。"
UNBIND_DONE = "已解除本群与“{branch}”的绑定。支部名单和记录都会保留。"

# --- notices to admins
ADMIN_BOT_REMOVED = (
    "⚠️ 机器人已被移出“{branch}”的群（{chat}），该支部现为未绑定状态。"
    "请把机器人重新拉进支部群，再发送 /bind {branch_id}。"
)
ADMIN_CHAT_MIGRATED = "ℹ️ “{branch}”的群已升级为超级群，绑定已自动跟随到新群。"

# --- roster and branches
ROSTER_HEADER = "{branch}名单（共 {count} 人）："
ROSTER_LINE = "{index}. {name}{note}"
ROSTER_NO_REAL_NAME = "（未登记姓名）"
ROSTER_EMPTY = "{branch}名单暂时为空。成员在群里发言或点按钮后会自动加入。"
ROSTER_PRIVATE_USAGE = "请写上支部 ID，例如：/roster {example}"
ROSTER_NOT_YOURS = "您不是“{branch}”的书记，不能查看该支部名单。"
BRANCHES_HEADER = "全部支部（{count} 个）："
BRANCHES_BOUND = "✅ {name}（{branch_id}）— 已绑定群“{chat}”，名单 {members} 人"
BRANCHES_UNBOUND = "⛔ {name}（{branch_id}）— 未绑定"
NOT_A_BRANCH_GROUP = "本群尚未绑定支部，请群管理员发送 /bind 支部ID。"

# --- scheduled pushes (notices to admins)
PUSH_UNBOUND = (
    "⚠️ {branch}尚未绑定群，推送“{schedule}”（{time}）未能发出。"
    "请在该支部群里 /bind {branch_id}。"
)
PUSH_MISSED_HEADER = "⚠️ 机器人停机期间错过了以下推送（已超过 {hours} 小时，不再补发）："
PUSH_UNCERTAIN_HEADER = "⚠️ 以下推送发送时机器人中断或超时，无法确认是否送达，请到群里核对："
PUSH_FAILED = "⚠️ 推送“{schedule}”发到{branch}失败：{reason}"
PUSH_LINE = "· {branch} {time} {schedule}"

# --- study tasks
STUDY_TASK = "📖 理论学习任务：{title}\n\n{body}{link}\n\n截止时间：{due}\n已完成 {done}/{total}"
STUDY_LINK = "\n学习链接：{link}"
STUDY_BUTTON = "✅ 学完了"
STUDY_DONE = "已记录：您已完成“{title}”。"
STUDY_ALREADY_DONE = "您已经记录过完成，无需重复点击。"
STUDY_UNKNOWN = "这条学习任务已不存在，请联系支部书记。"
STUDY_NOT_MEMBER = "这是{branch}的学习任务，您不在该支部名单中。"
STUDY_REMIND_GROUP = (
    "⏰ 学习提醒：“{title}”将于 {due} 截止，以下同志尚未完成：\n{mentions}\n"
    "学完后请点击任务消息下的“学完了”。"
)
STUDY_REMIND_PRIVATE = (
    "⏰ 提醒：{branch}的学习任务“{title}”将于 {due} 截止，您还没有点击“学完了”。"
)
STUDY_SUMMARY = (
    "📋 {branch}学习任务“{title}”已截止。\n"
    "已完成 {done_count} 人：{done}\n未完成 {pending_count} 人：{pending}"
)
STUDY_SUMMARY_UNDELIVERED = (
    "⚠️ {branch}没有能私聊联系的书记（请书记先私聊机器人发送 /start），总结如下：\n{summary}"
)
NOBODY = "无"
QUIZ_UNAVAILABLE = "题库功能尚未启用"
