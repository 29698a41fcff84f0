"""A Keras routine runs in a worker process; it writes its views' words in the tutor's language.

The worker learns the language from the run's Start message (protocol.Start.language), not from
its environment: conftest sets ``TUTOR_LANG=en`` for every test, so a worker that ignored Start
would write English.
"""

from __future__ import annotations

import pytest

from tests.helpers import speaking
from tutor.course import load_course
from tutor.i18n import _
from tutor.runner import FINISHED, RunSession

HANG_GUARD = 300  # seconds: a worker importing TensorFlow on a loaded machine takes a minute
# keras-beans, as small as it goes: two epochs of model.fit on 20 beans (TensorFlow's import is the cost).
SMALL = {"epochs": 2, "beans": 20, "trainer": "model.fit"}


def in_chinese(message: str, **values) -> str:
    with speaking("zh"):
        return _(message).format(**values)


@pytest.mark.keras
def test_a_keras_routine_in_its_worker_titles_its_views_in_the_language_the_tutor_speaks():
    lesson = load_course().get("keras-beans")
    values = lesson.resolve(SMALL)
    with speaking("zh"):
        session = RunSession(lesson, values, 0).start()
        assert session.wait(HANG_GUARD)
    assert session.in_worker and session.record.status == FINISHED, session.record.error
    surface = session.state.frames()[-1].views["surface"]
    title = in_chinese("epoch {epoch}: P(toxic)", epoch=SMALL["epochs"])
    assert title != "epoch 2: P(toxic)"  # the catalogue has it in Chinese
    assert surface["title"] == title
    assert [group["label"] for group in surface["points"]] == [in_chinese("harmless"), in_chinese("toxic")]
    assert surface["xlabel"] == in_chinese("size")
