"""The Expert Committee: roster, profiles, guidelines, reviews and decisions."""
