"""Tests may print: not a finding."""


def test_charge():
    print("debugging a test is fine")
