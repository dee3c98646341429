"""Built-in rule catalog, one rule per module, grouped by lesson."""
