"""Each person's queues: the committee dashboard, the helpdesk inbox, my requests."""
