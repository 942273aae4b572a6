"""The read side: a retrieval as stages in order (stages/: plan → search → rank → pack → expand, then
respond), the ranking policy and its registered terms (ranking/), and the other reads: the memory
catalog (list, get) and thread histories."""
