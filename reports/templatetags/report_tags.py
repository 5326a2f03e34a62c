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
