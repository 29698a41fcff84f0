"""A routine writes the words of its views in the learner's language (issue 22).

Run through the real runner and reporter (``run_lesson`` folding every report into a
``RunState``), as the app and ``tutor run --headless`` do: what the learner would see is
what the state holds at the end.
"""

from __future__ import annotations

import pytest

from tests.helpers import tiny_set, write_idx_set
from tutor import i18n
from tutor.course import load_course
from tutor.data.images import load_images
from tutor.runner import FINISHED, RunState, run_lesson

COURSE = load_course()


def views_after_a_run(lesson_id: str, language: str, **overrides) -> dict:
    i18n.set_language(language)
    lesson = COURSE.get(lesson_id)
    state = RunState()
    record = run_lesson(lesson, lesson.resolve(overrides), 0, state=state)
    assert record.status == FINISHED, record.error
    return state.snapshot().views


def test_cost_surface_titles_and_labels_its_views_in_chinese_and_in_english():
    chinese = views_after_a_run("cost-surface", "zh", epochs=5)
    assert chinese["fit"]["title"] == "当前 (w, b) 画出的直线"
    assert chinese["fit"]["points"][0]["label"] == "豆子"
    assert chinese["fit"]["xlabel"] == "大小" and chinese["fit"]["ylabel"] == "毒性"
    assert chinese["surface"]["title"].startswith("第 5 步：w = ")
    assert chinese["surface"]["zlabel"] == "代价"

    english = views_after_a_run("cost-surface", "en", epochs=5)
    assert english["fit"]["title"] == "the line the current (w, b) draws"
    assert english["fit"]["points"][0]["label"] == "beans"
    assert english["fit"]["xlabel"] == "size" and english["fit"]["ylabel"] == "toxicity"
    assert english["surface"]["title"].startswith("step 5: w = ")
    # The numbers are the same in both languages: only the words change.
    numbers = chinese["surface"]["title"].split("w = ")[1].replace("，", ", ")
    assert numbers == english["surface"]["title"].split("w = ")[1]


def test_hidden_layer_legend_speaks_chinese():
    views = views_after_a_run("hidden-layer", "zh", epochs=2)
    labels = [series["label"] for series in views["fit"]["points"] + views["fit"]["lines"]]
    assert labels == ["无毒", "有毒", "输出 a", "隐藏 h1", "隐藏 h2"]
    assert views["table"]["columns"][:3] == ["权重 / 中间量", "值", "梯度"]


@pytest.mark.parametrize(("language", "words"), [("zh", "下降发散了"), ("en", "the descent diverged")])
def test_a_diverged_walk_says_why_in_the_learners_language(language, words):
    i18n.set_language(language)
    lesson = COURSE.get("gradient-descent")
    record = run_lesson(lesson, lesson.resolve({"method": "mini-batch", "lr": 5}), 0)
    assert record.status == "diverged"
    assert words in record.error


@pytest.mark.usefixtures("offline_images")
def test_the_image_loader_says_where_its_pictures_came_from_in_the_language_of_each_call(tmp_path):
    write_idx_set(tmp_path / "d", tiny_set(3))
    said: list[str] = []
    i18n.set_language("zh")
    load_images("mnist", data_dir=tmp_path / "d", notify=said.append)
    i18n.set_language("en")  # the second load comes from the cache, still said in its own language
    load_images("mnist", data_dir=tmp_path / "d", notify=said.append)
    assert said[0].startswith("MNIST：6 张训练图片和 4 张测试图片，来自 ")
    assert said[1].startswith("MNIST: 6 training and 4 test images from ")
