"""Emotion-driven recommendation (the second article, steps 1-5), on real reviews and the simulated world.

Step 1, sentiment of each review:      ``review_scores``   (lexicon and a trained classifier)
Step 2, features I, E, F:              ``state`` (E with time decay), ``features`` (I and F, the blocks)
Step 3/4, the model P = M(E, I, F):    ``model`` (TFRS retrieval + rating), ``training`` (fit, rank, score)
user profiles (用户画像):              ``profiles`` (built from the model), ``profile_file`` (read and shown)
Step 5, feedback that improves it:     ``bandit`` (LinUCB), ``environments`` (simulated world, Amazon replay)
"""
