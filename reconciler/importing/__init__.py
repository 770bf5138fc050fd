"""Import: bring a live shop under version control as a catalog folder, with no diff afterwards.

live offers -> `shape` (defaults lifted, per-channel differences as overrides) and `operations`
(discounts grouped back into commercial operations) -> `write` (deterministic YAML files).
"""
