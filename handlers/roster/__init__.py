"""Handlers of the branch's roster: roll call, the 名单, leave."""
