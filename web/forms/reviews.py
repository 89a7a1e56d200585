"""The review form: the patient's ratings, passed to directory.services.reviews.review_submit,
which decides everything else (invitation codes, replacement of an earlier review)."""

from django import forms

from directory.limits import RATING_MAX, RATING_MIN, REVIEW_FLAG_REASON_MAX, REVIEW_TEXT_MAX
from directory.models import Condition, Review
from web.forms.fields import OfferedChoiceField

RATING_WORDS = {1: "poor", 2: "fair", 3: "good", 4: "very good", 5: "excellent"}
RATING_CHOICES = [
    (n, f"{n} – {RATING_WORDS[n]}" if n in RATING_WORDS else str(n))
    for n in range(RATING_MIN, RATING_MAX + 1)
]
YES_NO = [("yes", "Yes"), ("no", "No")]


def _rating(label: str, help_text: str) -> forms.TypedChoiceField:
    # The scale is the review's rule (directory.validators): a value off it is the service's
    # to refuse, with the API's message.
    return OfferedChoiceField(
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        label=label,
        help_text=help_text,
    )


class ReviewForm(forms.Form):
    overall = _rating("Overall", "Your overall experience of the treatment.")
    communication = _rating(
        "Communication", "Did they answer your questions and explain the treatment clearly?"
    )
    comfort = _rating(
        "Comfort", "Did they listen to your concerns and make a plan that suited you?"
    )
    would_recommend = forms.TypedChoiceField(
        choices=YES_NO,
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        label="Would you recommend them to a friend?",
    )
    condition = forms.ModelChoiceField(
        queryset=Condition.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="Prefer not to say",
        label="Condition treated (optional)",
    )
    # The length is the review's rule (review_submit); the browser is told it too.
    body = forms.CharField(
        required=False,
        label="Your review (optional)",
        help_text=f"Up to {REVIEW_TEXT_MAX:,} characters. Please leave out anything that could "
        "identify you or other patients.",
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": REVIEW_TEXT_MAX}),
    )
    invitation_code = forms.CharField(
        max_length=40,
        required=False,
        label="Invitation code (optional)",
        help_text="If your practitioner gave you a code, like K7QX-3M9P-2AZD, enter it: "
        "your review is then marked as verified.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @staticmethod
    def initial_from(review: Review | None) -> dict:
        """The patient's current review, to edit (a new submission replaces it)."""
        if review is None:
            return {}
        return {
            "overall": review.overall,
            "communication": review.communication,
            "comfort": review.comfort,
            "would_recommend": "yes" if review.would_recommend else "no",
            "condition": review.condition.slug if review.condition else None,
            "body": review.body,
        }


class ReviewReplyForm(forms.Form):
    """The practitioner's one public reply; its length is the review's rule (review_reply)."""

    body = forms.CharField(
        label="Your public reply",
        help_text=f"Up to {REVIEW_TEXT_MAX:,} characters. Shown under the review; a review "
        "takes one reply, which cannot be changed afterwards.",
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": REVIEW_TEXT_MAX}),
        error_messages={"required": "Write your reply before sending it."},
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ReviewFlagForm(forms.Form):
    """Asks the moderators to look at a review; the reason's length is review_flag's rule."""

    reason = forms.CharField(
        required=False,
        label="Why should a moderator look at it? (optional)",
        help_text=f"Up to {REVIEW_FLAG_REASON_MAX:,} characters, e.g. it names another "
        "patient or was not written by a patient of yours.",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REVIEW_FLAG_REASON_MAX}),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
