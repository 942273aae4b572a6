"""What the write and read paths both need to know about text: normalization, facts,
speakers, time mentions.
"""
