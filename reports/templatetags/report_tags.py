from django import template

register = template.Library()


@register.inclusion_tag("reports/_generate.html", takes_context=True)
def pdf_buttons(context, subject, kinds: str) -> dict:
    """The "Generate PDF" buttons for `subject`, for the kinds this user may produce."""
    from reports.documents import DOCUMENTS

    user = context["request"].user
    buttons = [
        {"kind": key, "label": DOCUMENTS[key].label}
        for key in kinds.split(",")
        if key in DOCUMENTS and user.has_perm(DOCUMENTS[key].permission)
    ]
    return {
        "buttons": buttons,
        "subject_id": subject.public_id,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("reports/_letters.html", takes_context=True)
def referral_letters(context, evaluation) -> dict:
    """For a signed evaluation: the "Referral letter" button when its plan of care asks for
    a referral or one of its (or its intake's) red-flag alerts ended in one, for those who
    may write letters; and the letters written from it, each with its PDF button, for those
    who may read them. Nothing, and no query, for a draft."""
    from reports import letters

    user = context["request"].user
    if not evaluation.is_signed:
        return {"can_write": False, "written": []}
    can_write = user.has_perm("reports.add_referralletter") and letters.letter_allowed(evaluation)
    written = []
    if user.has_perm("reports.view_referralletter"):
        written = list(
            evaluation.referral_letters.select_related("addressed_to", "created_by").order_by(
                "-created_at"
            )
        )
    return {
        "can_write": can_write,
        "written": written,
        "evaluation": evaluation,
        "csrf_token": context.get("csrf_token"),
    }
