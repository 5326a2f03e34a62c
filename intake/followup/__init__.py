"""Follow-up questionnaires ("packets"): short patient questionnaires later in an episode of
care, before a re-evaluation or discharge and after discharge. A packet is an Intake of
kind FOLLOW_UP, so it has the intake's one-time link, tablet hand-over, autosave and cauda
equina stop; its screens, scores and schedule are this package's."""
