"""Meetings recorded from the chat (三会一课, 主题党日): kind, date, topic, 签到 and 请假,
attachments, the record. May import `config`, `store`, `organization` and `roster`."""
