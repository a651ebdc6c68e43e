"""Reports: a branch's month (participation, tasks, answers, points), the service that
reads it from the store and sends the nudge, the .xlsx ledger and the chart. May import
every package below it except `scheduling`."""
