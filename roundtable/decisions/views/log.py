"""The decision log page, and the same list as CSV."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from roundtable.core.pages import breadcrumbs, csv_download, me
from roundtable.core.templating import querystring
from roundtable.decisions import selectors
from roundtable.decisions.forms import DecisionFilterForm
from roundtable.decisions.views.common import render


def _filters(form: DecisionFilterForm) -> selectors.DecisionFilter:
    """The filters that are valid; one that is not (an unknown forum) is ignored."""
    if not form.is_bound:
        return selectors.DecisionFilter()
    form.is_valid()
    data = form.cleaned_data
    return selectors.DecisionFilter(
        q=(data.get("q") or "").strip(),
        forum=data.get("forum"),
        kind=data.get("kind") or "",
        status=data.get("status") or "",
        mine=bool(data.get("mine")),
    )


def _export_url(request: HttpRequest) -> str:
    query = querystring(request, page=None)
    return reverse("decisions:export") + (query if query != "?" else "")


@require_GET
def decision_log(request: HttpRequest) -> HttpResponse:
    form = DecisionFilterForm(request.GET or None, forums=selectors.forum_choices())
    filters = _filters(form)
    decisions = selectors.decision_log(me(request), filters)
    page = Paginator(decisions, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_title": "Decisions",
        "form": form,
        "page": page,
        "holds": selectors.holds_by_decision([d.pk for d in page.object_list]),
        "missing": selectors.missing_voices(page.object_list),
        "filtered": filters != selectors.DecisionFilter(),
        "export_url": _export_url(request),
        "breadcrumbs": breadcrumbs(("Decisions", "")),
    }
    htmx = getattr(request, "htmx", False)
    template = "decisions/_log_results.jinja" if htmx else "decisions/log.jinja"
    response = render(request, template, context)
    # The same URL answers with a page or a fragment, so caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def decision_export(request: HttpRequest) -> StreamingHttpResponse:
    """The decision log as CSV, with the same filters as the page, streamed."""
    form = DecisionFilterForm(request.GET or None, forums=selectors.forum_choices())
    decisions = selectors.decision_log(me(request), _filters(form))
    stamp = timezone.localdate().isoformat()
    return csv_download(selectors.decision_log_rows(decisions), f"roundtable-decisions-{stamp}.csv")
