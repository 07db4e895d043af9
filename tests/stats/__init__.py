"""tests/stats"""
