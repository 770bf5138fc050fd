"""Commercial operations (Cdiscount sales and flash sales): selection, rules, Omnibus, calendar."""
