"""The command-line tools, installed as the package ``emotion_tf_scripts``: each module's ``main(argv)`` is a
console command (``[project.scripts]`` in pyproject.toml), e.g. ``emotion-tf-train-all`` for ``train_all``."""
