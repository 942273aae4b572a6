"""The stages of a retrieval, in the order a request passes them: plan → search → rank → pack →
expand, then respond (mnemo.retrieval.pipeline runs them).

Size: one module a stage or post-engine stage, each with its own constants and explanation, and the
helpers only they share (sizing, search plan, presentation, left out); split by phase they would
import each other across folders, since every post-engine stage reads the plan and the search's
hits.
"""
