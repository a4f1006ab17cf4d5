"""Printing is what a command-line entry point is for: not a finding."""

from app.payments import charge

print(charge({"total": 1}, None))
