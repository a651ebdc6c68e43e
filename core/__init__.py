"""The domain of the party-branch study bot, with no Telegram import.

Packages, lowest first: a package imports only packages listed before it, and the shared
modules here (`clock`, `errors`, `messages`, `delivery`: the port to the chat).
`tests/core/test_architecture.py` holds every import to this order.

- `dates`: workdays (official and rule-based holidays, declared days) and recurrence.
- `store`: the records and the one class that reads and writes `data/`.
- `config`: settings, the YAML loader, `schedules.yaml` (agency, branches, schedules,
  points) and question banks, loaded into frozen objects; changing them while running.
- `organization`: branch bindings, rosters, people, roles and the command table.
- `quizzes`: picking and grading questions, private and group quizzes, statistics.
- `scheduling`: the planner and the dispatcher that pushes exactly once; study tasks.
- `reports`: a branch's month (台账): participation, points, the workbook and the chart.
"""
