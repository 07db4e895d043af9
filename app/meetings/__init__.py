"""Committee meetings: agenda, the chair's run of it, minutes, calendar, member mails."""
