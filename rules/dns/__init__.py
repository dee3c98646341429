"""Lessons 3 and 5: short DNS TTLs and DNS single points of failure."""
