"""tests/intake"""
