"""What needs you: per-role panels, unread marks, watching cases, saved views."""
