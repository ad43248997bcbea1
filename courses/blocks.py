"""The blocks a lesson's StreamField is made of.

The quiz block keeps its correct answers in the page's content, which never
reaches the browser as such: ``courses/blocks/quiz.html`` renders prompts and
choice texts only, and grading happens on the server (``courses.quiz``).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from .constants import QuestionKind

SINGLE_NEEDS_ONE_CORRECT = _("A single-choice question needs at least two choices and exactly one correct choice.")
MULTIPLE_NEEDS_CORRECT = _("A multiple-choice question needs at least two choices and one or more correct choices.")
VIDEO_NEEDS_ONE_SOURCE = _("Give either an uploaded video file or a video link, not both and not neither.")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=255)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "courses/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    """A video uploaded to the document library, or embedded from a video site."""

    title = blocks.CharBlock(label=_("title"), required=False, max_length=255)
    file = DocumentChooserBlock(label=_("uploaded video file"), required=False)
    embed = EmbedBlock(label=_("video link"), required=False)

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("file")) == bool(value.get("embed")):
            raise StructBlockValidationError(block_errors={"file": ValidationError(VIDEO_NEEDS_ONE_SOURCE)})
        return value

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    description = blocks.CharBlock(label=_("description"), required=False, max_length=255)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "courses/blocks/document.html"


class AnswerChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("choice"), max_length=500)
    correct = blocks.BooleanBlock(label=_("correct"), required=False)

    class Meta:
        icon = "list-ul"
        label = _("Choice")


class QuestionBlock(blocks.StructBlock):
    prompt = blocks.TextBlock(label=_("question"))
    kind = blocks.ChoiceBlock(label=_("kind"), choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    choices = blocks.ListBlock(AnswerChoiceBlock(), label=_("choices"), required=False, default=[])
    true_is_correct = blocks.BooleanBlock(
        label=_("the statement is true"), required=False, help_text=_("For true-or-false questions only.")
    )
    explanation = blocks.TextBlock(
        label=_("explanation"), required=False, help_text=_("Shown after the teacher has submitted the quiz.")
    )

    def clean(self, value):
        value = super().clean(value)
        kind = value.get("kind")
        choices = value.get("choices") or []
        correct = sum(1 for choice in choices if choice.get("correct"))
        if kind == QuestionKind.SINGLE and (len(choices) < 2 or correct != 1):
            raise StructBlockValidationError(block_errors={"choices": ValidationError(SINGLE_NEEDS_ONE_CORRECT)})
        if kind == QuestionKind.MULTIPLE and (len(choices) < 2 or correct < 1):
            raise StructBlockValidationError(block_errors={"choices": ValidationError(MULTIPLE_NEEDS_CORRECT)})
        return value

    class Meta:
        icon = "help"
        label = _("Question")


class QuizBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=255)
    pass_mark = blocks.IntegerBlock(
        label=_("pass mark (%)"), min_value=0, max_value=100, default=60
    )
    attempts_allowed = blocks.IntegerBlock(
        label=_("attempts allowed"), min_value=0, default=3, help_text=_("0 for no limit.")
    )
    questions = blocks.ListBlock(QuestionBlock(), label=_("questions"), min_num=1)

    class Meta:
        icon = "tasks"
        label = _("Quiz")
        # Rendered by the lesson template with the teacher's attempts; see
        # courses/templates/courses/blocks/quiz.html.
        template = "courses/blocks/quiz.html"


class LessonStreamBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(label=_("Text"), icon="pilcrow")
    image = ImageBlock()
    video = VideoBlock()
    document = DocumentBlock()
    quiz = QuizBlock()
