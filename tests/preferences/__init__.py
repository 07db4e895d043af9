"""tests/preferences"""
