"""Dates: which days are workdays (chinesecalendar, holidays.China's rule, declared days)
and when a recurrence falls. Imports only `core.messages`."""
