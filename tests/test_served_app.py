"""The served app keeps its start-up objects out of the garbage collector's walks; test apps do not."""

import gc

from park.app import create_app, create_served_app


def test_a_served_worker_freezes_the_objects_it_started_with(monkeypatch):
    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    app = create_served_app()
    [hook] = [hook for hook in app.on_startup if hook.__name__ == "_freeze_start_up_objects"]
    hook()
    assert frozen == [True]


def test_an_app_built_for_tests_freezes_nothing():
    assert not [hook for hook in create_app().on_startup if hook.__name__ == "_freeze_start_up_objects"]
