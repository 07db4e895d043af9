"""Full-text search over cases: staff search and the public list's search box."""
