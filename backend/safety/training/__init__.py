"""Offline training of the injection classifier: corpus generators, split, training, evaluation."""
