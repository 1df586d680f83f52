"""smguard's built-in plugins."""
