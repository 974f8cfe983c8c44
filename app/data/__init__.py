"""Dataset panel and CSV import dialog."""
