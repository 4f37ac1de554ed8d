"""Data from other networks: Luchtmeetnet (reference stations), KNMI (weather), Samen Meten (citizen kits).

Each source module parses its files purely (text in, rows and problems out); `store.py` writes rows to the database;
`sync.py` keeps them current from the live services.
"""
