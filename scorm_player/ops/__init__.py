"""Package operations: import, list, get, per tenant."""
