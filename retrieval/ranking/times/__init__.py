"""The times a question names, read off its text: the window it asks about (`temporal`, over
`calendar_spans` and the asker's clock, `askers_clock`), the due windows and task questions of reminders
(`due_windows`, `due_spans`, `task_questions`), the holidays it names (`holidays`) and the events it
counts from (`event_anchors`). One reading a module, each pure and pinned by its own unit tests; the
time terms, the ranking policy and the stages read them.
"""
