"""The quality gate: Soda Core v4 data contracts per public mart, as blocking asset checks."""
