"""How memories are scored: the ranking policy of each type (the formula the engine evaluates and
the explanation of each hit), built from the registered ranking terms, and the time parsing that
the time terms read.

Size: two families of pure readings of a question live here beside the policy, one reading a module
(each pinned by its own unit tests): the confidence's (asked_detail, asked_kinds, asked_names,
asked_things, value_forms, word_forms, evidence) and the times a question names (temporal,
calendar_spans, date_order, due_windows, due_spans, task_questions, holidays, event_anchors); each
family is a candidate for a subfolder of its own.
"""
