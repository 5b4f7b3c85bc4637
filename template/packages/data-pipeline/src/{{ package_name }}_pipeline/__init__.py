"""Data pipeline of the use case: ingest, validate, transform and store the raw data."""
