"""Per-category rule tests."""
