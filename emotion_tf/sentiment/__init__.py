"""Emotion recognition (article 1's first module; article 2's step 1): attention, classifiers, heads."""
