"""Working groups: members, join requests, referrals, and their admin."""
