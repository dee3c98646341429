"""Lesson 1: destructive operations with nothing between them and production."""
