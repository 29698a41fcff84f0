"""tutor: watch neural networks learn, lesson by lesson, in the terminal.

Importing this package is cheap on purpose: no Textual, no TensorFlow.
"""

__version__ = "0.1.0"  # the one place it is declared (pyproject.toml reads it)
