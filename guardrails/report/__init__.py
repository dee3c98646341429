"""Reporters: findings to text, JSON and the formats CI tools read."""
