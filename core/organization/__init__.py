"""The organization: which group is which branch's, who is on each branch's roster,
people's real names and reachability, and roles (admin, secretary, member).
May import `config` and `store`."""
