"""Email, the helpdesk's front door: the mailbox read over IMAP, replies threaded onto cases."""
