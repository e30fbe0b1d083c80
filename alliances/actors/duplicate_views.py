"""Possible duplicates of imported organisations: listed to the people who may decide them
(platform admins: all; members of the organisation entered by hand: theirs), merged or
kept apart one by one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .models import DuplicateProposal, DuplicateStatus
from .registry import MergeError, duplicate_merge, duplicate_reject, proposals_visible_to

SHOWN = 50


@login_required
@require_GET
def duplicates(request: HttpRequest) -> HttpResponse:
    proposals = proposals_visible_to(request.user)
    shown = list(proposals[: SHOWN + 1])
    context = {
        "proposals": shown[:SHOWN],
        "more": len(shown) > SHOWN,
        "is_admin": request.user.is_platform_admin,
    }
    return render(request, "actors/duplicates.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def duplicate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = (
        DuplicateProposal.objects.select_related("kept__commune", "candidate__commune")
        .filter(pk=pk, status=DuplicateStatus.PENDING)
        .first()
    )
    # Not found for those who may not decide it: no leak of the pair.
    if proposal is None or not request.user.has_perm("actors.decide_duplicateproposal",
                                                     proposal):
        raise Http404
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision == "merge":
                kept = duplicate_merge(proposal, request.user)
                messages.success(
                    request,
                    _("“%(candidate)s” was merged into “%(kept)s”.")
                    % {"candidate": proposal.candidate.name, "kept": kept.name},
                )
                return redirect("actors:duplicates")
            if decision == "distinct":
                duplicate_reject(proposal, request.user)
                messages.success(
                    request,
                    _("Noted: “%(candidate)s” and “%(kept)s” are two different organisations.")
                    % {"candidate": proposal.candidate.name, "kept": proposal.kept.name},
                )
                return redirect("actors:duplicates")
        except MergeError as exc:
            messages.error(request, str(exc))
            return redirect("actors:duplicates")
        messages.error(request, _("Choose “Merge” or “These are not the same”."))
        return render(request, "actors/duplicates_detail.html", {"proposal": proposal},
                      status=400)
    return render(request, "actors/duplicates_detail.html", {"proposal": proposal})
