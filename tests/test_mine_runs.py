"""Runs with the learner's own functions (``routine=``): judged and described as theirs."""

from __future__ import annotations

from tests.helpers import make_course
from tutor.runner import describe_run, run_lesson


def rosenblatt():
    return make_course().get("rosenblatt")


def test_a_result_that_is_not_a_number_never_meets_the_challenge():
    lesson = rosenblatt()

    def nan_weight(params, reporter):
        return {"w": float("nan"), "loss": 0.0}  # what a learner's overflowing maths returns

    record = run_lesson(lesson, lesson.resolve({}), routine=nan_weight)
    assert record.status == "finished"
    assert record.challenge_met is False
    assert "w came out as nan" in record.error


def test_a_diverged_run_of_the_learners_code_points_at_their_code_not_only_the_learning_rate():
    lesson = rosenblatt()

    def walks_uphill(params, reporter):
        for epoch in range(1, 10):
            reporter.progress(epoch, 10, loss=10.0 ** (40 * epoch))
        return {}

    mine = run_lesson(lesson, lesson.resolve({}), routine=walks_uphill)
    assert mine.mine and mine.status == "diverged"
    assert "your own functions" in mine.error and "sign error" in mine.error
    assert "learning rate" in mine.error  # the run's own advice stays, after it


def test_an_earlier_run_of_the_learners_code_is_labelled_as_theirs():
    run = {"params": {"lr": 0.05}, "status": "diverged", "mine": True}
    assert describe_run(run, {"lr": 0.05}) == "your code · same settings · diverged"
    assert describe_run({**run, "mine": False}, {"lr": 0.05}) == "same settings · diverged"
