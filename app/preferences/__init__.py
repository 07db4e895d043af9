"""A person's preferences: notifications, email address, language."""
