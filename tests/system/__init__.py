"""tests/system"""
