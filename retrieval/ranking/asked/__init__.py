"""What a question asks and whether the best hits hold it: the confidence's readings
(ranking/confidence.py), one reading a module, each pure and pinned by its own unit tests.

`asked_detail` is the check the confidence takes, over what a question asks for (`asked_kinds`,
`asked_names`, `asked_things`), the forms of a value and of a word in a memory's text (`value_forms`,
`word_forms`), how informative a word is in English (`evidence`) and whether the hits are
conversation turns (`turns`). The stages read some of them too (version ties, event anchors).
"""
