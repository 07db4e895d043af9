"""The Meta-Wiki mirror bot (pywikibot). Built in a later step; see README."""
