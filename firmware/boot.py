# Runs first at every power-up or reset. Kept minimal on purpose: nothing here may fail or touch the
# network, so a kit with broken application code still boots to a REPL and can be reflashed.
