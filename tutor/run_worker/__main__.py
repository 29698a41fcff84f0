"""``python -m tutor.run_worker``: one run's worker process (see :mod:`tutor.run_worker.child`)."""

import sys

from tutor.run_worker.child import main

main(sys.argv[1:])
