"""The academy's evening peak in the deadline week of winter training, as
locust users: teachers browsing the catalogue, reading lessons, marking them
done and taking quizzes (POSTs with CSRF), checking their hours; a trainer
reading and exporting a course report; HR exporting the teacher list,
starting a bulk issue of certificates and watching its progress; the public
verifying certificates.

The mix follows Jinan's figures for that week: about 60 dynamic requests/s,
10 of them lesson completions (lesson-done and quiz POSTs), at the peak; in
this file a teacher's completions are 7 of every 38 tasks, and teachers make
about 94% of the traffic, so about one request in six is a completion.

It is run by ``run_load.py``, which builds the academy, signs the people in
(``LOAD_PLAN`` names the JSON file with their sessions and the URLs) and
starts gunicorn and a Celery worker. Only ever aimed at 127.0.0.1.
"""

import itertools
import json
import os
import random

from locust import FastHttpUser, between, constant_pacing, task

with open(os.environ["LOAD_PLAN"]) as handle:
    PLAN = json.load(handle)
STEP = int(os.environ.get("LOAD_STEP", "0"))
_rng = random.Random(STEP)
_teachers = PLAN["teachers"][:]
_rng.shuffle(_teachers)
TEACHERS = itertools.cycle(_teachers)


def signed_in(person):
    return {"Cookie": f"sessionid={person['session']}; csrftoken={person['csrf']}"}


def posting(person):
    return {**signed_in(person), "X-CSRFToken": person["csrf"],
            "Content-Type": "application/x-www-form-urlencoded"}


class Visit(FastHttpUser):
    abstract = True

    def page(self, url, name, *, headers=None, expect=200, contains=None):
        """GET ``url``; anything but ``expect`` (a redirect to the login
        page above all) is a failure, as is a page without ``contains``."""
        with self.client.get(url, name=name, headers=headers or {}, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != expect:
                response.failure(f"status {response.status_code}")
            elif contains is not None and contains.encode() not in (response.content or b""):
                response.failure(f"no {contains!r} in the page")

    def post(self, url, name, data, *, headers, redirect_to):
        """POST a form; it must answer with a redirect to ``redirect_to``."""
        with self.client.post(url, name=name, data=data, headers=headers, allow_redirects=False,
                              catch_response=True) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or redirect_to not in location:
                response.failure(f"status {response.status_code}, Location {location!r}")
            return location


class Teacher(Visit):
    weight = 16
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.me = next(TEACHERS)
        self.headers = signed_in(self.me)

    @task(7)
    def catalogue(self):
        query = _rng.choice(("", "?q=%E7%A7%91%E5%AD%A6", "?subject=science", "?stage=primary"))
        self.page(PLAN["catalogue"] + query, "catalogue", headers=self.headers)

    @task(4)
    def course(self):
        self.page(_rng.choice(PLAN["courses"]), "course page", headers=self.headers)

    @task(13)
    def lesson(self):
        self.page(f"/learn/{_rng.choice(PLAN['lessons'])}/", "lesson", headers=self.headers)

    @task(5)
    def lesson_done(self):
        lesson = _rng.choice(PLAN["lessons"])
        self.post(f"/learn/{lesson}/done/", "lesson done (POST)", {"visit": ""}, headers=posting(self.me),
                  redirect_to=f"/learn/{lesson}/")

    @task(2)
    def quiz(self):
        quiz = _rng.choice(PLAN["quizzes"])
        answers = quiz["right"] if _rng.random() < 0.7 else quiz["wrong"]
        self.post(f"/learn/{quiz['lesson']}/quiz/", "quiz (POST)", {"quiz": quiz["quiz"], "visit": "", **answers},
                  headers=posting(self.me), redirect_to=f"/learn/{quiz['lesson']}/")

    @task(5)
    def my_hours(self):
        self.page("/my/hours/", "my hours", headers=self.headers)

    @task(2)
    def my_learning(self):
        self.page("/my/learning/", "my learning", headers=self.headers)


class Visitor(Visit):
    """Someone checking a certificate: its QR code's page, or the form."""

    weight = 1
    wait_time = between(0.5, 1.5)

    @task(4)
    def verify(self):
        self.page(f"/certificates/v/{_rng.choice(PLAN['tokens'])}/", "verify a certificate")

    @task(1)
    def verify_form(self):
        self.page("/certificates/verify/", "verification form")


class Trainer(Visit):
    fixed_count = 1
    wait_time = constant_pacing(5)

    def on_start(self):
        self.headers = signed_in(PLAN["trainer"])

    @task(3)
    def report(self):
        self.page(PLAN["report"], "course report (admin)", headers=self.headers)

    @task(1)
    def export(self):
        self.page(PLAN["report"] + "?export=csv", "course report CSV (admin)", headers=self.headers)


class HumanResources(Visit):
    """Starts one bulk issue per run (the Celery worker issues it in the
    background), watches it, and exports lists now and then."""

    fixed_count = 1
    wait_time = constant_pacing(10)

    def on_start(self):
        hr = PLAN["hr"]
        self.headers = signed_in(hr)
        self.progress = None
        batch = PLAN["batch"]
        location = self.post(
            "/admin/certificate-actions/batches/", "bulk issue (admin POST)",
            {"template": batch["template"], "year": batch["year"], "training": batch["trainings"][STEP]},
            headers=posting(hr), redirect_to="/admin/certificate-actions/batches/",
        )
        if location.rstrip("/").split("/")[-1].isdigit():
            # The browser follows the redirect to the batch's page, which
            # then polls its progress.
            self.page(location, "bulk issue page (admin)", headers=self.headers)
            self.progress = location.rstrip("/") + "/progress.json"

    @task(3)
    def batch_progress(self):
        if self.progress:
            self.page(self.progress, "bulk issue progress (admin)", headers=self.headers)

    @task(1)
    def teacher_export(self):
        self.page(PLAN["teacher_export"], "teacher list CSV (admin)", headers=self.headers)

    @task(1)
    def certificate_list(self):
        self.page("/admin/certificates/issued/", "issued certificates (admin)", headers=self.headers)
