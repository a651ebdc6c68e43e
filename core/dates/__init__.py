"""Dates: which days are workdays (chinesecalendar, holidays.China's rule, declared days),
when a recurrence falls, and months, quarters and years as people write them. Imports only
`core.messages`."""
