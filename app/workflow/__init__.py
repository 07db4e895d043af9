"""The case workflow: transitions table, clocks and the service that moves cases."""
