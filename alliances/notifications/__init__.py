"""On-site notifications, e-mail digests and scheduled reminders."""
