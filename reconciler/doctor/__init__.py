"""`catalog doctor`: the checks a seller runs first against production, and raw captures."""
