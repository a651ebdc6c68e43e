"""Handlers of meetings: /meeting, its buttons, the topic reply, 签到 and attachments."""
