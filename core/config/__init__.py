"""Configuration: environment settings, the line-aware YAML loader, `schedules.yaml`
(agency, branches, schedules, points, calendar) and the question banks, each parsed once
into frozen typed objects; `changes` reloads and installs them while the bot runs, and
`child_import` runs a bank spreadsheet's install in a child process.
May import `core.dates` and the store's atomic file writing, nothing above."""
