"""Lesson 4: the same secret in development and production."""
