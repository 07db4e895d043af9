"""The ranked queue of approved cases waiting for support, and bulk actions on the inbox."""
