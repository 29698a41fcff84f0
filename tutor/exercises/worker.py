"""``python -m tutor.exercises.worker REQUEST``: runs one exercise's checks, in its own process.

Started by :func:`tutor.exercises.run_checks`, never imported by the tutor's own process
(learner code must not take the tutor down). ``REQUEST`` is JSON: the checks file, the
learner's file, the functions, the routine, the time and memory limits, and the path
where the report is written as JSON (so what the learner prints never mixes with it).

The time limit is a per-check timer (``signal.setitimer``) over what is left of the
exercise's budget: an endless loop is interrupted *inside* the learner's function, so
the report names the function and the line it was running.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import signal
import sys
import time
import traceback
import zlib
from pathlib import Path
from typing import Any

from tutor.modules import load_module

MAX_PRINTED = 4000


class TimeLimit(BaseException):
    """The budget ran out (a BaseException, so a learner's ``except Exception`` does not swallow it)."""


def _alarm(signum: int, frame: Any) -> None:
    raise TimeLimit


def _limit_memory(megabytes: int) -> None:
    # RLIMIT_DATA (heap and private mappings) rather than RLIMIT_AS: TensorFlow and
    # OpenBLAS reserve large address ranges they never use.
    limit = megabytes * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def _load_checks(path: Path) -> Any:
    return load_module(path, "tutor_exercise_checks")


def _learner_frame(error: BaseException, learner: str) -> tuple[str, int] | None:
    found = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == learner:
            found = (frame.name, frame.lineno or 0)
    return found


def _too_slow(error: BaseException, learner: str, budget: float) -> str:
    where = _learner_frame(error, learner)
    if where is None or where[0] == "<module>":
        line = f" (still running line {where[1]} of your file)" if where else ""
        return f"the checks did not finish within {budget:g} s{line}: is there a loop that never ends?"
    return (
        f"`{where[0]}` did not return within {budget:g} s: it was still running line {where[1]} of "
        "your file - is there a loop that never ends?"
    )


def main(argv: list[str]) -> int:
    request = json.loads(argv[1])
    answer = Path(request["answer"])
    learner = str(Path(request["learner"]))
    budget = float(request["timeout"])
    results: list[dict[str, Any]] = []
    problem: str | None = None
    printed = io.StringIO()

    def finish() -> int:
        output = printed.getvalue()
        report = {"results": results, "problem": problem, "output": output[:MAX_PRINTED]}
        answer.write_text(json.dumps(report), encoding="utf-8")
        return 0

    _limit_memory(int(request["memory_mb"]))
    sys.dont_write_bytecode = True
    import numpy as np

    from tutor.exercises import (
        Exercise,
        ExerciseError,
        checking,
        load_learner_module,
        missing_functions,
        reference_module,
    )

    checking.learner_files.add(learner)
    exercise = Exercise(
        lesson_id=Path(learner).stem,
        folder=Path(request["checks"]).parent,
        functions=tuple(request["functions"]),
        hints=(),
        timeout=budget,
        intro="",
        starter=Path(),
        checks=Path(request["checks"]),
        routine=request["routine"],
        code_dir=Path(request["code_dir"]) if request["code_dir"] else None,
    )
    try:
        reference = reference_module(exercise)
        checks = checking.checks_of(vars(_load_checks(exercise.checks)))
    except Exception as error:  # the exercise's own files, not the learner's: said in one line
        text = str(error).splitlines()[0] if str(error) else ""
        problem = f"the tutor could not prepare the checks ({type(error).__name__}: {text}) - not your code"
        return finish()

    signal.signal(signal.SIGALRM, _alarm)
    deadline = time.monotonic() + budget

    def arm() -> bool:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        signal.setitimer(signal.ITIMER_REAL, left)
        return True

    def disarm() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)

    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            arm()
            mine = load_learner_module(Path(learner))
            disarm()
        except TimeLimit as error:
            problem = _too_slow(error, learner, budget)
            return finish()
        except ExerciseError as error:
            disarm()
            problem = str(error)
            return finish()
        except SystemExit:
            disarm()
            problem = f"{Path(learner).name}: your file calls exit() while loading (the checks call your functions)"
            return finish()
        except MemoryError:
            disarm()
            problem = f"your file ran out of memory while loading (the limit is {request['memory_mb']} MB)"
            return finish()
        why = missing_functions(mine, exercise, reference)
        if why:
            problem = f"{Path(learner).name}: {why}"
            return finish()
        for function in checks:
            title = getattr(function, checking.CHECK_TITLE)
            rng = np.random.default_rng(zlib.crc32(title.encode("utf-8")))  # the same inputs every time
            if not arm():
                problem = f"the checks did not finish within {budget:g} s"
                break
            try:
                function(mine, reference, rng)
                disarm()
                results.append({"title": title, "ok": True, "message": ""})
            except checking.Mismatch as error:
                disarm()
                results.append({"title": title, "ok": False, "message": str(error)})
            except TimeLimit as error:
                problem = _too_slow(error, learner, budget)
                results.append({"title": title, "ok": False, "message": problem})
                break
            except MemoryError:
                disarm()
                message = f"ran out of memory (the limit is {request['memory_mb']} MB): is an array far too large?"
                results.append({"title": title, "ok": False, "message": message})
            except SystemExit:
                disarm()
                message = "your function called exit(): return a value instead"
                results.append({"title": title, "ok": False, "message": message})
            except RecursionError as error:
                disarm()
                where = _learner_frame(error, learner)
                name = f"`{where[0]}` " if where else ""
                results.append(
                    {"title": title, "ok": False, "message": f"{name}calls itself without end (RecursionError)"}
                )
            except Exception as error:  # a learner error outside the helpers, or a bug in the checks
                disarm()
                where = _learner_frame(error, learner)
                text = str(error).splitlines()[0] if str(error) else ""
                said = f"{type(error).__name__}{': ' if text else ''}{text}"
                if where:
                    message = f"`{where[0]}` raised {said} (your file, line {where[1]})"
                else:
                    message = f"the check itself failed ({said}) - a bug in the tutor's checks, not your code"
                results.append({"title": title, "ok": False, "message": message})
    return finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
