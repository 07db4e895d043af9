"""tests/groups"""
