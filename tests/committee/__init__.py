"""tests/committee"""
