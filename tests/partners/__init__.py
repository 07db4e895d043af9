"""tests/partners"""
