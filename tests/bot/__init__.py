"""tests/bot"""
