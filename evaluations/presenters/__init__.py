"""Each section's findings in words, one module per section, feeding both the page and
the PDFs, so the two cannot drift apart:

- `page(findings, content) -> dict | None`: what the page's findings box prints, from the
  evaluation's stored findings and its section records (read through `records`);
- `document(record, found) -> dict | None`: the section as the evaluation, progress and
  discharge documents print it, from the section's own record and its part of the findings.

None means nothing to show. `evaluations.sections` names each section's presenters, and
`sections.shown_findings` and `sections.documented` loop over them. The outcomes section's
`page` is registered there; its `document` gives only what the patient reported beside the
therapist's values (a pre-filled section), as the rest of what the documents print depends
on the intake it is measured against (reports.docs.evaluation). Pure: no Django, no
database.
"""
