"""Synthetic tablet answers, screen by screen, as the browser would post them."""

import base64
import io

from PIL import Image, ImageDraw


def signature_data_url() -> str:
    image = Image.new("RGB", (400, 150), "white")
    ImageDraw.Draw(image).line([(20, 100), (120, 40), (220, 110), (380, 30)], fill="black", width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def blank_signature_data_url() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 150), "white").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


HAPPY: dict[str, dict] = {
    "about": {
        "details_confirmed": "on",
        "phone": "+44 7700 900456",
        "email": "ana@example.org",
        "address_line1": "1 Test Street",
        "city": "Testville",
        "preferred_language": "en",
        "emergency_contact_name": "Sam Núñez",
        "emergency_contact_relationship": "Partner",
        "emergency_contact_phone": "+44 7700 900789",
    },
    "consent": {
        "treatment_consent": "on",
        "privacy_ack": "on",
        "signed_name": "Ana Núñez",
        "signature": signature_data_url(),
    },
    "where": {
        "chart_low_back_l": ["pain"],
        "chart_buttock_l": ["pain"],
        "chart_thigh_back_l": ["pain", "burning"],
        "chart_calf_shin_l": ["pain", "pins_needles"],
        "chart_foot_l": ["numbness"],
    },
    "feels": {
        "qualities": ["shooting", "electric"],
        "follows_path": "path",
        "leg_vs_back": "leg_worse",
        "attacks": "yes",
        "worse_on_cough": "yes",
        "weakness": "no",
    },
    "when": {
        "onset_date": "2026-10-01",
        "mechanism": "lift",
        "previous_episodes": "once_twice",
        "worse_with": ["bending", "sitting"],
        "better_with": ["walking", "lying"],
        "pattern_24h": "morning",
        "night_pain": "wakes",
        "walking": "15_30",
        "sitting_relief": "no",
        "cart_relief": "no",
    },
    "pain": {
        "nprs_back_now": "3",
        "nprs_back_best_24h": "2",
        "nprs_back_worst_24h": "5",
        "nprs_leg_now": "6",
        "nprs_leg_best_24h": "4",
        "nprs_leg_worst_24h": "8",
    },
    "history": {
        **{
            code: "no"
            for code in (
                "HX-CANCER",
                "HX-OSTEOPOROSIS",
                "HX-STEROIDS",
                "HX-DIABETES",
                "HX-IMMUNOSUPPRESSION",
                "HX-IVDU",
                "HX-RECENT-INFECTION",
                "HX-WEIGHT-LOSS",
                "HX-VASCULAR-RISK",
                "HX-NO-IMPROVEMENT",
                # Added by red-flag ruleset 2026.12-1.
                "HX-TB",
                "HX-ALCOHOL",
                "HX-FIRST-BACK-PAIN",
            )
        },
        "medications": "Ibuprofen 400 mg when needed",
        "imaging": "no",
        "injections": "no",
        "surgery": "no",
    },
    "redflags": {
        code: "no"
        for code in (
            "CES-3",
            "CES-4",
            "CES-2",
            "CES-5",
            "CES-1",
            "CES-6",
            "NEURO-PROGRESSIVE",
            "SX-FEVER",
            "SX-ABDO-PAIN",
            "SX-FAINT",
            # Added by red-flag ruleset 2026.12-1.
            "SX-WIDESPREAD-NEURO",
            "SX-NIGHT-PAIN",
            "SX-PROGRESSIVE-PAIN",
            "SX-THORACIC-PAIN",
            "SX-ABDO-PULSATING",
        )
    },
    "startback": {
        "sbst_1": "agree",
        "sbst_2": "disagree",
        "sbst_3": "agree",
        "sbst_4": "agree",
        "sbst_5": "agree",
        "sbst_6": "agree",
        "sbst_7": "disagree",
        "sbst_8": "agree",
        "sbst_9": "very_much",
    },
    "psfs": {
        "activity_1": "Sitting at work",
        "score_1": "3",
        "activity_2": "Walking the dog",
        "score_2": "5",
        "activity_3": "Putting on socks",
        "score_3": "4",
    },
}
STEPS_WITHOUT_ODI = list(HAPPY)


def odi_pack_document() -> dict:
    """A synthetic pack with placeholder text: the real ODI wording is licensed and never
    appears in this repository."""
    return {
        "format": "clinic-instrument-pack/1",
        "instrument": "odi_v2_1a",
        "version": "2.1a-test",
        "language": "en",
        "title": "Test pack (placeholder text)",
        "licence": {"reference": "TEST-ONLY", "licensed_to": "Test clinic", "expires_on": None},
        "items": [
            {
                "id": f"odi_{n}",
                "title": f"Section {n} (placeholder)",
                "options": [
                    {
                        "id": f"s{n}_{score}",
                        "text": f"Placeholder statement {score}",
                        "score": score,
                    }
                    for score in range(6)
                ],
            }
            for n in range(1, 11)
        ],
    }
