"""Disputes, contact preferences and call-backs."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from portal import selectors
from portal.forms import CallbackForm, DisputeForm, PreferencesForm
from portal.models import ContactPreference
from portal.services import requests as services
from portal.session import portal_login_required
from portfolio.models import Debtor


@require_http_methods(["GET", "POST"])
@portal_login_required
def dispute(request, debt_id):
    debt = selectors.debtor_debt(request.portal_debtor_id, debt_id)
    form = DisputeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            filed = services.dispute_file(
                debt=debt,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                attachment=form.cleaned_data.get("attachment"),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            # The acknowledgement says the number, the answer date and that collection pauses.
            return redirect("portal:request-received", number=filed.complaint.number)
    disputes = [(d, services.dispute_status(d)) for d in selectors.debt_disputes(debt)]
    return render(
        request, "portal/dispute.html", {"debt": debt, "form": form, "disputes": disputes}
    )


@require_http_methods(["GET", "POST"])
@portal_login_required
def preferences(request):
    debtor_id = request.portal_debtor_id
    channels = services.preferences_channels(debtor_id)
    pref = ContactPreference.objects.filter(debtor_id=debtor_id).first()
    initial = {}
    if pref:
        initial = {"preferred_from": pref.preferred_from, "preferred_to": pref.preferred_to}
    form = PreferencesForm(request.POST or None, channels=channels, initial=initial)
    if request.method == "POST" and form.is_valid():
        allowed = {c: form.cleaned_data.get(f"allow_{c}", False) for c, _l, _a in channels}
        result = services.preferences_save(
            debtor_id=debtor_id,
            allowed=allowed,
            hours=(form.cleaned_data["preferred_from"], form.cleaned_data["preferred_to"]),
        )
        text = _("Your preferences are saved.")
        if result["suppressed"]:
            text += " " + _("Messages already planned on the channels you turned off are stopped.")
        messages.success(request, text)
        return redirect("portal:preferences")
    debtor = Debtor.objects.get(pk=debtor_id)
    return render(request, "portal/preferences.html", {"form": form, "debtor": debtor})


@require_http_methods(["GET", "POST"])
@portal_login_required
def callback(request):
    debts = list(selectors.debtor_debts(request.portal_debtor_id).filter(balance__gt=0))
    start = timezone.localtime() + datetime.timedelta(hours=1)
    form = CallbackForm(
        request.POST or None, initial={"when": start.replace(minute=0, second=0, microsecond=0)}
    )
    if request.method == "POST" and form.is_valid():
        if not debts:
            form.add_error(None, _("You have no open debts; there is nothing to call about."))
        else:
            try:
                services.callback_request(
                    debt=debts[0], when=form.cleaned_data["when"], note=form.cleaned_data["note"]
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Done: a collector will call you at that time."))
                return redirect("portal:debts")
    return render(request, "portal/callback.html", {"form": form})
