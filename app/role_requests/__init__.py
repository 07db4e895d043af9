"""Requests for a role: a Wikimedian offers to help as helpdesk staff or on the Expert
Committee, and an administrator approves (the role is granted) or declines."""
