"""A run's worker process: where a Keras lesson, or the learner's own code, runs.

A run is a thread of the app (or of ``tutor run --headless``) owned by
:class:`tutor.runner.RunSession`. For a Keras lesson and for a run with the learner's code,
that thread starts a worker process and relays it: it sends the routine's name and
parameters, folds the reports that come back into the run's state, passes Stop, Pause and
Step on, and ends the process when the run ends - at once if it overstays a Stop. TensorFlow
is imported only there, so the app's own memory stays flat and a Stop during a compile never
leaves TensorFlow busy in the app. By job:

* :mod:`~tutor.run_worker.protocol` - the messages (msgspec structs, MessagePack frames,
  NumPy arrays written out as dtype, shape and bytes; never pickles);
* :mod:`~tutor.run_worker.process` - :class:`WorkerProcess`, the runner's handle on one worker;
* :mod:`~tutor.run_worker.prepared` - the worker prepared while a Keras lesson is open
  (TensorFlow already imported when Run is pressed);
* :mod:`~tutor.run_worker.child` - what runs inside the worker (never imported by the app).
"""
