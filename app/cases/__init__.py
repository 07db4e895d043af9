"""Cases: the workflow (transitions, clocks, checklists), the case page and its actions,
canned replies."""
