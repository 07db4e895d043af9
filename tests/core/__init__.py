"""tests/core"""
