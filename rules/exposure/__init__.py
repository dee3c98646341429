"""Lesson 2: datastores exposed to the network without authentication."""
