"""One referral's page, for its two parties only: the physician who sent it and the
practitioner who received it, with what each may do next, and a print stylesheet (site.css)
so it can be handed to the patient or filed (SPEC §3, §6).

Moderators read referrals in the admin, where each read is logged; to anyone else a
referral does not exist, so the page is a 404, as the selectors answer.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from directory.models import Referral, User
from directory.selectors.me import location_list
from directory.selectors.referrals import referral_get
from directory.services.referrals import referral_allowed_actions
from web.views.dashboard_common import signed_in


def _party_or_404(user: User, referral_id: int) -> Referral:
    referral = referral_get(viewer=user, referral_id=referral_id)
    parties = (referral.physician.user_id, referral.practitioner.user_id) if referral else ()
    if user.pk not in parties:
        raise Http404("No referral you sent or received has this number.")
    return referral


@signed_in
@require_GET
def referral_page(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _party_or_404(request.user, referral_id)
    sent = referral.physician.user_id == request.user.pk
    context = {
        "referral": referral,
        "sent": sent,
        "section": None if sent else "referrals",
        "actions": referral_allowed_actions(referral=referral, user=request.user),
        "clinics": location_list(practitioner=referral.practitioner),
    }
    return render(request, "web/referral.html", context)


urlpatterns = [
    path("referrals/<int:referral_id>/", referral_page, name="referral"),
]
