"""What intake tells the apps built on it (it cannot import them)."""

from django.dispatch import Signal

# Sent after the transaction that submitted a follow-up packet commits, with `packet`:
# evaluations fills in a draft re-evaluation or discharge that is waiting for it.
packet_submitted = Signal()
