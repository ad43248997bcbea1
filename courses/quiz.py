"""Grading a quiz block against a teacher's submitted answers.

Answers arrive as ``{"q0": ["1"], "q1": ["0", "2"], "q2": ["true"]}``: for
each question, by its position, the submitted choice positions (or
``true``/``false``). Anything else is refused with a message, never graded.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .constants import QuestionKind

ANSWER_MISSING = _("Answer every question before submitting: question %(number)s has no answer.")
ANSWER_MALFORMED = _("The answer to question %(number)s is not one of its choices. Reload the page and try again.")
ANSWERS_FOR_ANOTHER_QUIZ = _("These answers are not for this quiz. Reload the page and try again.")

TRUE_FALSE_VALUES = ("true", "false")


@dataclass(frozen=True)
class Grade:
    answers: dict
    correct: int
    total: int
    score: int  # percent, rounded down
    passed: bool


def _allowed(question):
    if question["kind"] == QuestionKind.TRUE_FALSE:
        return TRUE_FALSE_VALUES
    return tuple(str(index) for index in range(len(question["choices"])))


def _correct(question):
    if question["kind"] == QuestionKind.TRUE_FALSE:
        return {"true" if question["true_is_correct"] else "false"}
    return {str(index) for index, choice in enumerate(question["choices"]) if choice["correct"]}


def quiz_grade(quiz, answers) -> Grade:
    """``quiz`` is a QuizBlock value; ``answers`` maps ``q<n>`` to lists of
    strings. Raises ValidationError for missing, malformed or foreign answers."""
    questions = list(quiz["questions"])
    expected_keys = {f"q{index}" for index in range(len(questions))}
    unexpected = set(answers) - expected_keys
    if unexpected:
        raise ValidationError(ANSWERS_FOR_ANOTHER_QUIZ, code="foreign")
    cleaned = {}
    correct = 0
    for index, question in enumerate(questions):
        number = index + 1
        values = answers.get(f"q{index}") or []
        if not isinstance(values, (list, tuple)) or not all(isinstance(value, str) for value in values):
            raise ValidationError(ANSWER_MALFORMED, params={"number": number}, code="malformed")
        values = [value.strip() for value in values if value.strip()]
        if not values:
            raise ValidationError(ANSWER_MISSING, params={"number": number}, code="missing")
        allowed = _allowed(question)
        if any(value not in allowed for value in values) or len(set(values)) != len(values):
            raise ValidationError(ANSWER_MALFORMED, params={"number": number}, code="malformed")
        if question["kind"] != QuestionKind.MULTIPLE and len(values) != 1:
            raise ValidationError(ANSWER_MALFORMED, params={"number": number}, code="malformed")
        cleaned[f"q{index}"] = sorted(values)
        if set(values) == _correct(question):
            correct += 1
    total = len(questions)
    score = (correct * 100) // total if total else 0
    return Grade(answers=cleaned, correct=correct, total=total, score=score, passed=score >= quiz["pass_mark"])


def quiz_feedback(quiz, answers):
    """Per question, after submission only: what was chosen, what was right,
    and the explanation."""
    feedback = []
    for index, question in enumerate(quiz["questions"]):
        chosen = set((answers or {}).get(f"q{index}", []))
        right = _correct(question)
        feedback.append({"question": question, "chosen": chosen, "right": right, "is_correct": chosen == right})
    return feedback
