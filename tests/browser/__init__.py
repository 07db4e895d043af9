"""Real-browser tests: Debian's chromium driven by Playwright, with axe-core audits."""
