"""One module per lesson: the maths a learner reads next to the explanation.

A routine is ``run(params, reporter) -> dict``. It imports nothing from the
user interface (no Textual, no rich), takes all randomness from
``params.rng``, reports progress and view data through ``reporter``, and calls
``reporter.check_cancelled()`` every epoch and every batch.
"""
