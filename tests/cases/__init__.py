"""tests/cases"""
