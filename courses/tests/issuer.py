"""A stand-in for the certificates app's issuer: records the enrolments it was called for."""

CALLS = []


def record(*, enrolment_id):
    CALLS.append(enrolment_id)
