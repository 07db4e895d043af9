"""tests/dev"""
