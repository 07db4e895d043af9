"""Checklist steps verified on the wikis, and the impact of a case followed up after it."""
