"""Typed facts derived from documents, shared by rules of several formats."""
