"""The example shop: every kind of defect mergegate exists to stop."""
