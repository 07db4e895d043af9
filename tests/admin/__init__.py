"""tests/admin"""
