"""Build sheets (PDF export)."""
