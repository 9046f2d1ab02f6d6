"""Domain services: every business rule and permission check of leadbot lives here."""
