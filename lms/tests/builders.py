"""Test helpers other apps' tests share (the model factories are in
``factories.py``)."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

THREADS = 20


def run_at_once(action):
    """Run ``action`` in THREADS threads released together; returns
    (results, validation messages, unexpected errors)."""
    start = threading.Barrier(THREADS)
    results, refusals, errors = [], [], []
    # Each thread starts in the default language; the messages are compared
    # in the test's.
    language = translation.get_language()

    def run():
        translation.activate(language)
        try:
            start.wait()
            results.append(action())
        except ValidationError as error:
            refusals.extend(error.messages)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, refusals, errors
