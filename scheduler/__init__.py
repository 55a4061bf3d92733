"""The one scheduler: what a tick does (tick.py) and the APScheduler process around it (runner.py).

    run_tick(now=None, name=None) -> TickResult      everything due as of `now`, once; one line per thing fired
    start_background_scheduler(app)                  beside the dev server (`serve`, `make run`)
    run_blocking_scheduler(app)                      `flask --app app scheduler run` (production)
"""
