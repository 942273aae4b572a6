"""How memories are scored: the ranking policy of each type (the formula the engine evaluates and
the explanation of each hit), built from the registered ranking terms (`terms/`), the ranking and
confidence models, and the pure readings of a question they take: what it asks and whether the hits
hold it, for the confidence (`asked/`), and the times it names, for the time terms (`times/`).
"""
