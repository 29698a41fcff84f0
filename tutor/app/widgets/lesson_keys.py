"""The keys that act on a lesson: watching its run, the stage's views and pages, its tabs.

:class:`~tutor.app.widgets.lesson_pane.LessonPane` binds them and carries out their actions.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from tutor.i18n import N_

# The help screen (?) shows each key's tooltip. The watching keys have priority, so a focused
# view or button does not take them; check_action hands them back to text fields.
LESSON_KEYS: list[BindingType] = [
    Binding("space", "play_pause", N_("Pause"), tooltip=N_("Pause or resume the run (it waits, using no CPU) "
            "and its playback"), id="play-pause", priority=True),
    Binding("full_stop", "frames(1)", N_("Step"), tooltip=N_("One frame forward; at a paused run's newest "
            "frame, compute one more epoch (or batch)"), id="frame-next", priority=True, key_display="."),
    Binding("comma", "frames(-1)", N_("Back"), tooltip=N_("One frame back"), id="frame-previous",
            priority=True, show=False, key_display=","),
    Binding("greater_than_sign", "frames(10)", "+10", tooltip=N_("Ten frames forward"), id="frames-forward",
            priority=True, show=False, key_display=">"),
    Binding("less_than_sign", "frames(-10)", "-10", tooltip=N_("Ten frames back"), id="frames-back",
            priority=True, show=False, key_display="<"),
    Binding("home", "first_frame", N_("First frame"), tooltip=N_("The first frame of the run"),
            id="frame-first", priority=True, show=False),
    Binding("end", "last_frame", N_("Last frame"), tooltip=N_("The newest frame (live while the run "
            "computes)"), id="frame-last", priority=True, show=False),
    Binding("s", "speed", N_("Speed"), tooltip=N_("Playback speed: slow, normal, fast, instant"), id="speed",
            show=False),
    Binding("m", "maximize_view", N_("Maximise"), tooltip=N_("Maximise the view on the stage; m or Escape "
            "restores"), id="maximize", priority=True),
    *(
        Binding(str(n), f"stage_view({n})", N_("View"), tooltip=N_("Put view 1, 2, 3... of the view bar on "
                "the stage"), id=f"stage-view-{n}", show=False)
        for n in range(1, 10)
    ),
    Binding("right_square_bracket", "page(1)", N_("Next page"), tooltip=N_("Next page (its view comes on the "
            "stage)"), id="next-page", show=False),
    Binding("left_square_bracket", "page(-1)", N_("Previous page"), tooltip=N_("Previous page"),
            id="previous-page", show=False),
    Binding("pagedown", "scroll_page(1)", N_("Scroll"), tooltip=N_("Scroll the page's text down"),
            id="page-down", show=False),
    Binding("pageup", "scroll_page(-1)", N_("Scroll"), tooltip=N_("Scroll the page's text up"), id="page-up",
            show=False),
    Binding("e,v", "show_tab('lesson')", N_("Lesson"), tooltip=N_("The lesson: its page beside the view it "
            "is about"), id="tab-lesson", show=False),
    Binding("c", "show_tab('code')", N_("Code"), tooltip=N_("The Code tab: the routine that runs"),
            id="tab-code", show=False),
    Binding("x", "show_tab('exercise')", N_("Exercise"), tooltip=N_("The Exercise tab: write the lesson's "
            "maths yourself (the cursor goes to your work)"), id="tab-exercise", show=False),
    Binding("p", "show_tab('parameters')", N_("Parameters"), tooltip=N_("The Parameters tab"),
            id="tab-parameters", show=False),
    Binding("r", "show_tab('runs')", N_("Runs"), tooltip=N_("The Runs tab: the lesson's recent runs side by "
            "side"), id="tab-runs", show=False),
]  # fmt: skip
# Keys that belong to text fields when one has focus (a character, not a command).
WATCHING_ACTIONS = frozenset({"play_pause", "frames", "first_frame", "last_frame", "maximize_view"})
