"""The organization: which group is which branch's, who is on each branch's roster,
people's real names and reachability, roles (admin, secretary, member), and the command
table with what a typed command was meant to be (`command_text.py`).
May import `config` and `store`."""
