"""tests/auth"""
