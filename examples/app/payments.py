"""Payments: a bare except that swallows every error (P0) and a debug print (P2)."""

import json


def charge(order, gateway):
    print("charging", order)
    try:
        return gateway.charge(order["total"])
    except:
        return None


def load_receipt(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except:
        log_failure(path)
        raise


def log_failure(path):
    pass
