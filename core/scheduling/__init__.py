"""Scheduling: the planner (what is due when, holidays applied), the dispatcher that
delivers each push exactly once, study tasks (学完了, reminders, summaries), the daily
digest of pushes no group could take (and pausing a branch's pushes) and the warning when
next year's holidays are unknown. May import `dates`, `config`, `store`,
`organization` and `quizzes`."""
