"""tests/public"""
