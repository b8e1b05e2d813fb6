"""Getting in: a personal link or the document, then the last digits and a one-time code."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal import session
from portal.forms import CodeForm, DigitsForm, StartForm
from portal.services import access, throttle
from portal.services.links import link_debtor_id
from portfolio.models import Debtor


def _locked(request, until) -> dict:
    """The lockout as the visitor reads it: the end in their own time zone, and whom to call."""
    contact = session.contact(request)
    return {"contact": contact, **contact.local_time(until)}


@require_http_methods(["GET", "POST"])
def home(request):
    """Start with the document: the answer is the same whether it exists or not."""
    if session.debtor_id(request):
        return redirect("portal:debts")
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = session.client_ip(request)
        if not access.start_allowed(ip=ip):
            form.add_error(None, _("Too many attempts from this connection. Try again later."))
        else:
            document_type = form.cleaned_data["document_type"]
            number = form.cleaned_data["document_number"]  # compact (StartForm.clean)
            debtor = access.debtor_by_document(document_type=document_type, document_number=number)
            debtor_id = debtor.pk if debtor else None
            # Wrong codes after a typed document are counted under this stand-in key, made from
            # the document whether it names a debtor or not: the same work, and the same
            # lockout, either way.
            stand_in = throttle.document_key(document_type, number)
            locked = access.sending_locked(debtor_id=debtor_id, stand_in=stand_in)
            access.code_request(debtor_id=None if locked else debtor_id)
            session.pending_set(
                request,
                debtor_id=debtor_id,
                step="code",
                via="home",
                stand_in=stand_in,
                kind=document_type,
            )
            return redirect("portal:verify")
    return render(request, "portal/home.html", {"form": form})


@require_http_methods(["GET"])
def link(request, token):
    """A personal link from a message: remember whom it names, then ask for the second factor."""
    debtor_id = link_debtor_id(token)
    kind = (
        Debtor.objects.filter(pk=debtor_id).values_list("document_type", flat=True).first()
        if debtor_id is not None
        else None
    )
    if kind is None:
        return render(request, "portal/link_invalid.html", status=400)
    if session.debtor_id(request) == debtor_id:
        return redirect("portal:debts")
    session.sign_out(request)
    session.pending_set(request, debtor_id=debtor_id, step="digits", kind=kind)
    # The token stays out of the address bar from here on.
    return redirect("portal:verify")


def _form(step: str, kind: str, data):
    return DigitsForm(data, kind=kind) if step == "digits" else CodeForm(data)


@require_http_methods(["GET", "POST"])
def verify(request):
    state = session.pending(request)
    if not state:
        return redirect("portal:home")
    debtor_id, step = state.get("pending"), state.get("step")
    stand_in, kind = state.get("stand_in"), state.get("kind", "")
    # After a typed document only the document's own lockout shows (the same for a known and
    # an unknown one); after a personal link, the debtor's.
    until = access.lockout(debtor_id=debtor_id, stand_in=stand_in)
    if until:
        return render(
            request,
            "portal/verify.html",
            {"form": None, "step": step, "locked": _locked(request, until)},
            status=429 if request.method == "POST" else 200,
        )
    form = _form(step, kind, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if step == "digits":
            check = access.last_digits_check(
                debtor_id=debtor_id, digits=form.cleaned_data["digits"]
            )
            if check.ok:
                access.code_request(debtor_id=debtor_id)
                session.pending_set(request, debtor_id=debtor_id, step="code", kind=kind)
                return redirect("portal:verify")
        else:
            check = access.code_verify(
                debtor_id=debtor_id, code=form.cleaned_data["code"], stand_in=stand_in
            )
            if check.ok:
                tz, language, country = (
                    Debtor.objects.filter(pk=debtor_id)
                    .values_list("timezone", "language", "country")
                    .get()
                )
                session.sign_in(request, debtor_id, tz=tz or "", country=country)
                response = redirect("portal:debts")
                if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and language in dict(
                    settings.LANGUAGES
                ):
                    # The debtor's language on file, until they use the language button.
                    response.set_cookie(
                        settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", httponly=True
                    )
                return response
        if check.locked_until:
            return render(
                request,
                "portal/verify.html",
                {"form": None, "step": step, "locked": _locked(request, check.locked_until)},
                status=429,
            )
        form.add_error(
            None,
            _("That is not right. Check and try again.")
            if step == "code"
            else _("Those characters do not match our records."),
        )
    return render(request, "portal/verify.html", {"form": form, "step": step})


@require_POST
def resend(request):
    state = session.pending(request)
    if state and state.get("step") == "code":
        debtor_id = state.get("pending")
        locked = access.sending_locked(debtor_id=debtor_id, stand_in=state.get("stand_in"))
        # Queued either way (None: nobody to send to), like the first code.
        access.code_request(debtor_id=None if locked else debtor_id)
        messages.info(request, _("If your details are on file, a new code is on its way."))
    return redirect("portal:verify")


@require_POST
def logout(request):
    session.sign_out(request)
    messages.info(request, _("You have signed out."))
    return redirect("portal:home")
