"""tests/notifications"""
