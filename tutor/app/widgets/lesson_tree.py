"""The lessons as a tree by chapter, each marked passed or not yet."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tutor.course import Course, Lesson
from tutor.i18n import _

PASSED, NOT_YET = "✓", "·"
# A lesson with an exercise carries a second mark: ✎ dim until the learner's own code passes its checks.
EXERCISE = "✎"


class LessonTree(Tree[str]):
    """Chapters and their lessons; Enter (or a click) opens a lesson."""

    @dataclass
    class LessonChosen(Message):
        lesson_id: str

    def __init__(
        self,
        course: Course,
        passed: Set[str],
        *,
        with_exercise: Set[str] = frozenset(),
        exercises_passed: Set[str] = frozenset(),
        id: str | None = None,
    ) -> None:
        super().__init__(_("Lessons"), id=id)
        self.show_root = False
        self.guide_depth = 2
        self._course = course
        self._passed = set(passed)
        self._with_exercise = set(with_exercise)
        self._exercises_passed = set(exercises_passed)
        self._lesson_nodes: dict[str, TreeNode[str]] = {}
        self._chapters: dict[int, TreeNode[str]] = {}

    def on_mount(self) -> None:
        for number, lessons in sorted(self._course.by_chapter().items()):
            chapter = self.root.add(self._chapter_label(number), expand=True)
            self._chapters[number] = chapter
            for lesson in lessons:
                self._lesson_nodes[lesson.id] = chapter.add_leaf(self._lesson_label(lesson), data=lesson.id)

    # Tree labels are rich Text: plain ANSI colours read on dark and light themes.
    def _lesson_label(self, lesson: Lesson) -> Text:
        mark = (PASSED, "bold green") if lesson.id in self._passed else (NOT_YET, "dim")
        exercise: str | tuple[str, str]
        if lesson.id not in self._with_exercise:
            exercise = " "
        elif lesson.id in self._exercises_passed:
            exercise = (EXERCISE, "bold green")
        else:
            exercise = (EXERCISE, "dim")
        return Text.assemble(mark, exercise, " ", (lesson.number, "dim"), " ", lesson.title)

    def _chapter_label(self, number: int) -> Text:
        lessons = self._course.by_chapter().get(number, [])
        done = sum(lesson.id in self._passed for lesson in lessons)
        return Text.assemble(
            (f"{number} {self._course.chapter_title(number)}", "bold"), (f" {done}/{len(lessons)}", "dim")
        )

    def mark_passed(self, lesson_id: str) -> None:
        if lesson_id in self._passed or lesson_id not in self._lesson_nodes:
            return
        self._passed.add(lesson_id)
        lesson = self._course.get(lesson_id)
        self._lesson_nodes[lesson_id].set_label(self._lesson_label(lesson))
        self._chapters[lesson.chapter].set_label(self._chapter_label(lesson.chapter))

    def mark_exercise_passed(self, lesson_id: str) -> None:
        if lesson_id in self._exercises_passed or lesson_id not in self._lesson_nodes:
            return
        self._exercises_passed.add(lesson_id)
        self._lesson_nodes[lesson_id].set_label(self._lesson_label(self._course.get(lesson_id)))

    def show_lesson(self, lesson_id: str) -> None:
        """Move the cursor to a lesson (without opening it again)."""
        node = self._lesson_nodes.get(lesson_id)
        if node is not None:
            self.move_cursor(node)

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.LessonChosen(event.node.data))
