"""The branch's own roster: its 名单 (member list) and who claimed each entry, roll call
(报到), leave (请假), and the dates that matter to members (政治生日, 预备期满).
May import `config`, `store` and `organization`."""
