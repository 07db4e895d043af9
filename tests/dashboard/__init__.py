"""tests/dashboard"""
