"""How memories are scored: the ranking policy of each type (the formula the engine evaluates and
the explanation of each hit), built from the registered ranking terms, and the time parsing that
the time terms read."""
