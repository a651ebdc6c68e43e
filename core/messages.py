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
QUIZ_RESUMING = "您还有一组答题没有完成，接着答第 {number} 题（共 {total} 题）："
QUIZ_QUESTION = "第 {number}/{total} 题 · {kind}\n{text}"
QUIZ_MULTIPLE_HINT = "（多选：点选所有正确选项，再点“提交”）"
QUIZ_OPTION_LINE = "{letter}. {option}"
QUIZ_SUBMIT = "提交"
QUIZ_CHECKED = "☑"
QUIZ_UNCHECKED = "☐"
QUIZ_RIGHT = "✅ 回答正确！"
QUIZ_WRONG = "❌ 回答错误。"
QUIZ_FEEDBACK = (
    "{verdict}\n您的答案：{chosen}\n正确答案：{answer}\n解析：{explanation}\n出处：{source}"
)
QUIZ_REPLY_RIGHT = "✅ 回答正确"
QUIZ_REPLY_WRONG = "❌ 回答错误，正确答案：{answer}"
QUIZ_SELECTED = "已选：{chosen}。选好后请点“提交”。"
QUIZ_SELECTED_NONE = "还没有选择选项。"
QUIZ_CHOOSE_FIRST = "请先选择至少一个选项，再点“提交”。"
QUIZ_DONE = "🎉 答题完成！本组共 {total} 题，答对 {right} 题，正确率 {rate}%。"
QUIZ_DONE_REVIEW_HINT = "答错的题已记入错题本，发送 /review 复习。"
QUIZ_DONE_AGAIN_HINT = "发送 /quiz 再来一组。"
REVIEW_DONE = "📘 复习完成！本次共 {total} 题，答对 {right} 题。错题本里还有 {left} 题。"
REVIEW_EMPTY = "您的错题本是空的，继续保持！发送 /quiz 开始答题。"
REVIEW_RULE = "同一道题在不同的两天连续答对，就会移出错题本。"
QUIZ_BAD_BUTTON = "这个按钮已失效。发送 /quiz 继续答题。"
QUIZ_NOT_YOURS = "这不是您的题目，请发送 /quiz 开始您自己的答题。"
QUIZ_ALREADY_ANSWERED = "这道题已经作答过了，以第一次作答为准。"
QUIZ_FINISHED = "这组答题已经结束。发送 /quiz 再来一组。"

# --- quizzes: branch groups
GROUP_QUIZ_INTRO = (
    "📝 {branch}知识测验：{title}\n共 {count} 题，{closes} 截止。\n"
    "请直接在下面的题目里作答，每题以第一次作答为准；截止后公布结果。"
)
GROUP_QUIZ_POLL_MULTIPLE = "（多选）"
GROUP_QUIZ_CLOSED = "这次测验已经截止，不能再作答了。"
GROUP_QUIZ_BAD_BUTTON = "这个按钮已失效，请在最新的测验题目下作答。"
GROUP_QUIZ_SEND_FAILED = "测验发送失败：{reason}"
GROUP_QUIZ_SUMMARY = (
    "📊 {branch}知识测验“{title}”已截止。\n参与 {people} 人。\n各题正确率：\n{lines}\n"
    "全部答对（{perfect_count} 人）：{perfect}"
)
GROUP_QUIZ_SUMMARY_LINE = "第 {number} 题：{rate}%（{right}/{answered}）"
GROUP_QUIZ_SUMMARY_NO_ANSWER = "第 {number} 题：无人作答"
GROUP_QUIZ_SUMMARY_UNDELIVERED = "⚠️ {branch}的测验结果未能发到群里：{reason}\n{summary}"

# --- configuration problems found at start-up (to admins)
ADMIN_CONFIG_WARNINGS = (
    "⚠️ 以下配置有误，相关题库或测验计划未启用（其余功能正常运行）。"
    "请修正后运行 python bot.py check 检查，再重启机器人：\n{problems}"
)
ADMIN_CONFIG_WARNINGS_MORE = "……另有 {count} 处，请运行 python bot.py check 查看全部。"
