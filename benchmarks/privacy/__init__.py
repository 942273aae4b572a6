"""The privacy detectors measured: a labelled set of memories (labelled.py) and precision, recall and
cost per write (measure.py)."""
