"""One module per lesson: the maths a learner reads next to the explanation.

A routine is ``run(params, reporter) -> dict``. It imports nothing from the
user interface (no Textual, no rich), takes all randomness from
``params.rng``, reports progress and view data through ``reporter``, and calls
``reporter.check_cancelled()`` every epoch and every batch.

Each lesson's module defines its own small maths (a sigmoid, a softmax) on
purpose, even where another lesson has the same few lines: the Code tab shows
one file that reads top to bottom, an exercise swaps a lesson's functions in
that one module, and no lesson changes when another does. Only helpers that
are not the lesson's idea are shared (``_numbers``, ``_previews``,
``_images_common``, ``_walks``).
"""
