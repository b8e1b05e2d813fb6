"""The seeded default texts: per template code and language, the lines each channel is built of.

Tone follows the stage: reminders are friendly, notices are firm, none threatens; only the
pre-legal notice mentions the credit bureau (the prior notice the law requires) and what the
next step may be. Every text states the amount, the creditor, how to pay and how to reach a
person; electronic ones carry the opt-out instruction (added by the channel layout below).
"""

# code -> language -> (subject, lead sentence, closing sentence)
TEXTS = {
    "pre_due_reminder": {
        "es": (
            "Tu pago con {{ creditor_name }} vence el {{ due_date }}",
            "te recordamos que el {{ due_date }} vence tu pago de {{ amount }} con "
            "{{ creditor_name }}.",
            "Si ya pagaste, gracias y no tengas en cuenta este mensaje.",
        ),
        "en": (
            "Your {{ creditor_name }} payment is due on {{ due_date }}",
            "a friendly reminder that your payment of {{ amount }} to {{ creditor_name }} is "
            "due on {{ due_date }}.",
            "If you have already paid, thank you, and please ignore this message.",
        ),
    },
    "friendly": {
        "es": (
            "Un recordatorio amable de {{ creditor_name }}",
            "vemos un saldo pendiente de {{ amount }} con {{ creditor_name }} desde el "
            "{{ due_date }}. Puede ser un simple olvido.",
            "Si necesitas más tiempo o un plan de pagos, escríbenos: queremos ayudarte.",
        ),
        "en": (
            "A friendly reminder from {{ creditor_name }}",
            "we noticed a balance of {{ amount }} with {{ creditor_name }}, due since "
            "{{ due_date }}. It may simply have slipped your mind.",
            "If you need more time or a payment plan, get in touch: we are here to help.",
        ),
    },
    "firm_notice": {
        "es": (
            "Aviso: tu obligación con {{ creditor_name }} está en mora",
            "tu obligación con {{ creditor_name }} tiene {{ days_past_due }} días de mora y un "
            "saldo de {{ amount }}. Te pedimos ponerte al día lo antes posible.",
            "Si no puedes pagar todo hoy, podemos acordar un plan de pagos contigo.",
        ),
        "en": (
            "Notice: your {{ creditor_name }} account is past due",
            "your account with {{ creditor_name }} is {{ days_past_due }} days past due with a "
            "balance of {{ amount }}. Please bring it up to date as soon as possible.",
            "If you cannot pay it all today, we can agree on a payment plan with you.",
        ),
    },
    "firm_weekly": {
        "es": (
            "Tu saldo con {{ creditor_name }} sigue pendiente",
            "tu saldo de {{ amount }} con {{ creditor_name }} sigue pendiente "
            "({{ days_past_due }} días de mora).",
            "Ponte al día o acordemos un plan de pagos.",
        ),
        "en": (
            "Your {{ creditor_name }} balance is still outstanding",
            "your balance of {{ amount }} with {{ creditor_name }} is still outstanding "
            "({{ days_past_due }} days past due).",
            "Please pay it or let us agree on a payment plan.",
        ),
    },
    "firm_call": {
        "es": (
            "Llamada de seguimiento",
            "llamar para conversar sobre el saldo de {{ amount }} con {{ creditor_name }} "
            "({{ days_past_due }} días de mora) y ofrecer un plan de pagos.",
            "Identificarse, confirmar que habla con el titular y no indagar por qué dejó de pagar.",
        ),
        "en": (
            "Follow-up call",
            "call to talk about the balance of {{ amount }} with {{ creditor_name }} "
            "({{ days_past_due }} days past due) and offer a payment plan.",
            "Identify yourself, confirm you are speaking with the account holder.",
        ),
    },
    "pre_legal_notice": {
        "es": (
            "Aviso prejurídico y aviso previo de reporte – {{ creditor_name }}",
            "tu obligación con {{ creditor_name }} tiene {{ days_past_due }} días de mora y un "
            "saldo de {{ amount }}. Este es el aviso previo que exige la ley: si la mora "
            "continúa, pasados 20 días calendario desde este aviso la obligación podrá ser "
            "reportada a las centrales de riesgo, y el caso podrá pasar a cobro jurídico.",
            "Aún puedes evitarlo: paga o acuerda con nosotros un plan de pagos o una "
            "propuesta de pago.",
        ),
        "en": (
            "Pre-legal notice and credit bureau prior notice – {{ creditor_name }}",
            "your account with {{ creditor_name }} is {{ days_past_due }} days past due with a "
            "balance of {{ amount }}. This is the prior notice the law requires: if it remains "
            "unpaid, the account may be reported to the credit bureaus once the legally "
            "required period after this notice has passed, and the case may be referred to "
            "our legal team.",
            "You can still avoid this: pay, or agree with us on a payment plan or a settlement.",
        ),
    },
    # The bureau prior notice (Ley 1266 art. 12; Reg F 1006.30(a)): what may be reported, when,
    # and how to avoid it, without threats; the cycle plans it (and a second one for small
    # Colombian debts) well before a report could happen.
    "bureau_notice": {
        "es": (
            "Aviso previo de reporte a centrales de riesgo – {{ creditor_name }}",
            "tu obligación con {{ creditor_name }} tiene un saldo en mora de {{ amount }}. Te "
            "damos el aviso previo que exige la ley: si no se paga ni se acuerda, pasados 20 "
            "días calendario desde este aviso la obligación podrá ser reportada a las centrales "
            "de riesgo (Ley 1266 de 2008, art. 12). Si no estás de acuerdo con la deuda, "
            "puedes presentar un reclamo y no se reportará como mora sin esa anotación.",
            "Puedes evitar el reporte pagando o acordando con nosotros un plan de pagos.",
        ),
        "en": (
            "Notice before credit reporting – {{ creditor_name }}",
            "your account with {{ creditor_name }} has an overdue balance of {{ amount }}. We "
            "may report this account to the credit bureaus: not before 14 days after this "
            "notice (20 calendar days in Colombia). If you dispute the debt, tell us and it "
            "will be reported as disputed, or not at all until we answer.",
            "You can avoid the report by paying or agreeing with us on a payment plan.",
        ),
    },
    "pre_legal_call": {
        "es": (
            "Llamada prejurídica",
            "llamar para ofrecer un acuerdo o una propuesta de pago sobre el saldo de "
            "{{ amount }} con {{ creditor_name }} ({{ days_past_due }} días de mora).",
            "Recordar el aviso prejurídico enviado, sin amenazas; registrar el resultado.",
        ),
        "en": (
            "Pre-legal call",
            "call to offer an agreement or a settlement on the balance of {{ amount }} with "
            "{{ creditor_name }} ({{ days_past_due }} days past due).",
            "Mention the pre-legal notice sent, without threats; log the outcome.",
        ),
    },
    "payment_thanks": {
        "es": (
            "Gracias por tu pago – {{ creditor_name }}",
            "recibimos tu pago a {{ creditor_name }}. Tu saldo pendiente es {{ amount }}.",
            "Gracias por ponerte al día.",
        ),
        "en": (
            "Thank you for your payment – {{ creditor_name }}",
            "we received your payment to {{ creditor_name }}. Your remaining balance is "
            "{{ amount }}.",
            "Thank you for bringing your account up to date.",
        ),
    },
    "agreement_confirmation": {
        "es": (
            "Confirmación de tu acuerdo de pago con {{ creditor_name }}",
            "confirmamos tu acuerdo de pago con {{ creditor_name }} sobre un saldo de "
            "{{ amount }}. Los pagos se hacen siempre a {{ creditor_name }}, nunca a un gestor.",
            "Consulta las cuotas y fechas de tu acuerdo en el portal.",
        ),
        "en": (
            "Your payment agreement with {{ creditor_name }} is confirmed",
            "we confirm your payment agreement with {{ creditor_name }} on a balance of "
            "{{ amount }}. Payments always go to {{ creditor_name }}, never to a collector.",
            "See the instalments and dates of your agreement in the portal.",
        ),
    },
    "instalment_reminder": {
        "es": (
            "Recordatorio de cuota – {{ creditor_name }}",
            "te recordamos la próxima cuota de tu acuerdo con {{ creditor_name }}; tu saldo "
            "es {{ amount }}.",
            "Gracias por cumplir tu acuerdo.",
        ),
        "en": (
            "Instalment reminder – {{ creditor_name }}",
            "a reminder of the next instalment of your agreement with {{ creditor_name }}; "
            "your balance is {{ amount }}.",
            "Thank you for keeping your agreement.",
        ),
    },
    "missed_instalment": {
        "es": (
            "No recibimos tu cuota – {{ creditor_name }}",
            "no hemos recibido la cuota de tu acuerdo con {{ creditor_name }} (saldo "
            "{{ amount }}). Págala dentro del periodo de gracia para mantener tu acuerdo.",
            "Si tuviste un inconveniente, escríbenos y lo revisamos contigo.",
        ),
        "en": (
            "We did not receive your instalment – {{ creditor_name }}",
            "we have not received the instalment of your agreement with {{ creditor_name }} "
            "(balance {{ amount }}). Please pay it within the grace period to keep your "
            "agreement.",
            "If something came up, contact us and we will look at it with you.",
        ),
    },
    "agreement_completed": {
        "es": (
            "Completaste tu acuerdo con {{ creditor_name }}",
            "completaste tu acuerdo de pago con {{ creditor_name }}. Saldo actual: {{ amount }}.",
            "¡Gracias por cumplir!",
        ),
        "en": (
            "You completed your agreement with {{ creditor_name }}",
            "you completed your payment agreement with {{ creditor_name }}. Current balance: "
            "{{ amount }}.",
            "Thank you for keeping your word!",
        ),
    },
    "agreement_broken": {
        "es": (
            "Tu acuerdo con {{ creditor_name }} quedó sin efecto",
            "tu acuerdo de pago con {{ creditor_name }} quedó sin efecto por cuotas no pagadas; "
            "el saldo pendiente es {{ amount }}.",
            "Podemos revisar contigo una nueva alternativa de pago.",
        ),
        "en": (
            "Your agreement with {{ creditor_name }} has ended",
            "your payment agreement with {{ creditor_name }} ended because of unpaid "
            "instalments; the outstanding balance is {{ amount }}.",
            "We can look at a new way to pay with you.",
        ),
    },
}

# The US validation notice (Reg F 12 CFR 1006.34, following the CFPB model form B-1): who is
# owed, the itemization of each debt as of its itemization date (its due date: the date the
# oldest unpaid amount fell due), the validation period's end date and how to dispute or ask
# for the original creditor. language -> (subject, body between greeting and signature).
VALIDATION_NOTICE = {
    "en": (
        "{{ creditor_name }}: validation notice about your debt",
        "{{ creditor_name }} is collecting a debt that you owe. We will use any information "
        "you give us to help collect the debt.\n\n"
        "Our information shows (itemization date: the due date of each debt):\n"
        "{% for d in debts %}- Account {{ d.ref }} ({{ d.product }}). As of the itemization "
        "date, {{ d.itemization_date }}: principal {{ d.principal }}, interest "
        "{{ d.interest }}, fees {{ d.fees }}. Total amount of the debt now: {{ d.amount }}.\n"
        "{% endfor %}Total you owe now: {{ amount }}.\n\n"
        "The validation period ends on {{ validation_end_date }}. How can you dispute the "
        "debt? Call or write to us by {{ validation_end_date }} to dispute all or part of "
        "the debt; if you do not, we will assume that our information is correct. If you "
        "write to us by {{ validation_end_date }}, we must stop collection on any amount "
        "you dispute until we send you information that shows you owe the debt. Dispute "
        "online at {{ portal_link }} (choose the debt, then Dispute), or by mail to "
        "{{ dispute_address }}.\n\n"
        "You may also write to ask for the name and address of the original creditor, if "
        "different from the current creditor. If you write by {{ validation_end_date }}, "
        "we must stop collection until we send you that information.\n\n"
        "Go to www.cfpb.gov/debt-collection to learn more about your rights under federal "
        "law. To talk about your payment options, go to {{ portal_link }} or call "
        "{{ contact_phone }}.",
    ),
    "es": (
        "{{ creditor_name }}: aviso de validación de su deuda",
        "{{ creditor_name }} está cobrando una deuda que usted debe. Usaremos la información "
        "que nos dé para ayudar a cobrar la deuda.\n\n"
        "Nuestra información indica (fecha de desglose: la fecha de vencimiento de cada "
        "deuda):\n"
        "{% for d in debts %}- Cuenta {{ d.ref }} ({{ d.product }}). A la fecha de desglose, "
        "{{ d.itemization_date }}: capital {{ d.principal }}, intereses {{ d.interest }}, "
        "cargos {{ d.fees }}. Monto total de la deuda hoy: {{ d.amount }}.\n"
        "{% endfor %}Total que debe hoy: {{ amount }}.\n\n"
        "El periodo de validación termina el {{ validation_end_date }}. ¿Cómo puede disputar "
        "la deuda? Llámenos o escríbanos a más tardar el {{ validation_end_date }} para "
        "disputar toda la deuda o una parte; si no lo hace, supondremos que nuestra "
        "información es correcta. Si nos escribe a más tardar el {{ validation_end_date }}, "
        "debemos suspender el cobro de cualquier monto que usted dispute hasta enviarle "
        "información que demuestre que usted debe la deuda. Dispute en línea en "
        "{{ portal_link }} (elija la deuda y luego Disputar), o por correo postal a "
        "{{ dispute_address }}.\n\n"
        "También puede escribirnos para pedir el nombre y la dirección del acreedor original, "
        "si es distinto del acreedor actual. Si escribe a más tardar el "
        "{{ validation_end_date }}, debemos suspender el cobro hasta enviarle esa "
        "información.\n\n"
        "Visite www.cfpb.gov/debt-collection para conocer sus derechos según la ley federal. "
        "Para hablar de sus opciones de pago, entre a {{ portal_link }} o llame al "
        "{{ contact_phone }}.",
    ),
}

GREETING = {"es": "Hola {{ first_name }},", "en": "Hello {{ first_name }},"}
PAY = {
    "es": "Paga en línea en {{ portal_link }}.",
    "en": "Pay online at {{ portal_link }}.",
}
PERSON = {
    "es": "Para hablar con una persona llama al {{ contact_phone }}.",
    "en": "To speak with a person call {{ contact_phone }}.",
}
OPTOUT_EMAIL = {
    "es": "Si no quieres recibir más correos nuestros, date de baja aquí: {{ optout_link }}",
    "en": "If you no longer want our e-mails, unsubscribe here: {{ optout_link }}",
}
OPTOUT_TEXT = {
    "es": "Responde STOP para no recibir más mensajes.",
    "en": "Reply STOP to opt out.",
}
SIGN = {"es": "Atentamente,\n{{ creditor_name }}", "en": "Sincerely,\n{{ creditor_name }}"}
LETTER_GREETING = {"es": "Apreciado(a) {{ full_name }}:", "en": "Dear {{ full_name }},"}
LETTER_HEAD = {
    "es": "{{ full_name }}\n\n{{ business_date }}\n\nReferencias: {{ debt_refs }}",
    "en": "{{ full_name }}\n\n{{ business_date }}\n\nReferences: {{ debt_refs }}",
}
VOICE_HEAD = {
    "es": "Guion para el gestor: {{ full_name }} ({{ debt_refs }}).",
    "en": "Collector script: {{ full_name }} ({{ debt_refs }}).",
}
VOICE_TAIL = {
    "es": "Ofrecer el portal {{ portal_link }} y la línea {{ contact_phone }}.",
    "en": "Offer the portal {{ portal_link }} and the line {{ contact_phone }}.",
}

# The channels each code is seeded for (the default cadence's, plus the usual ones elsewhere).
CHANNELS = {
    "pre_due_reminder": ("email", "sms", "whatsapp"),
    "friendly": ("email", "sms", "whatsapp"),
    "firm_notice": ("email", "letter", "sms", "whatsapp"),
    "firm_weekly": ("email", "sms", "whatsapp"),
    "firm_call": ("voice",),
    "pre_legal_notice": ("email", "letter"),
    "pre_legal_call": ("voice",),
    "bureau_notice": ("email", "letter", "sms", "whatsapp"),
    "payment_thanks": ("email", "sms", "whatsapp"),
    "agreement_confirmation": ("email", "letter", "sms", "whatsapp"),
    "instalment_reminder": ("email", "sms", "whatsapp"),
    "missed_instalment": ("email", "sms", "whatsapp", "voice"),
    "agreement_completed": ("email", "sms", "whatsapp", "letter"),
    "agreement_broken": ("email", "sms", "whatsapp", "letter", "voice"),
    "validation_notice": ("email", "letter"),
}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def default_text(code: str, channel: str, language: str) -> tuple[str, str]:
    """(subject, body) of the seeded text for one code, channel and language."""
    if code == "validation_notice":
        return _validation_notice(channel, language)
    subject, lead, closing = TEXTS[code][language]
    if channel == "email":
        body = "\n\n".join(
            [
                GREETING[language],
                _cap(lead),
                PAY[language] + " " + PERSON[language],
                closing,
                SIGN[language],
                OPTOUT_EMAIL[language],
            ]
        )
        return subject, body
    if channel in ("sms", "whatsapp"):
        body = " ".join(
            [
                "{{ first_name }}, " + lead,
                PAY[language],
                PERSON[language],
                OPTOUT_TEXT[language],
            ]
        )
        return "", body
    if channel == "letter":
        body = "\n\n".join(
            [
                LETTER_HEAD[language],
                LETTER_GREETING[language],
                _cap(lead),
                PAY[language] + " " + PERSON[language],
                closing,
                SIGN[language],
            ]
        )
        return subject, body
    # voice: the collector's call script (no automated call)
    body = " ".join([VOICE_HEAD[language], _cap(lead), closing, VOICE_TAIL[language]])
    return subject, body


def _validation_notice(channel: str, language: str) -> tuple[str, str]:
    """The validation notice: an e-mail (with the opt-out line) or a letter."""
    subject, core = VALIDATION_NOTICE[language]
    if channel == "email":
        parts = [GREETING[language], core, SIGN[language], OPTOUT_EMAIL[language]]
    else:
        parts = [LETTER_HEAD[language], LETTER_GREETING[language], core, SIGN[language]]
    return subject, "\n\n".join(parts)
