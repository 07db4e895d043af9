"""A person's preferences: notifications, email address, language; country, languages and
regions."""
