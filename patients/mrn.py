"""Medical record numbers: 7 random digits and a Luhn check digit.

Random rather than sequential so an MRN says nothing about when or in what order
patients registered; the check digit catches most typing mistakes at the desk.
"""

import secrets


def luhn_check_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:  # doubled positions, counting from the digit left of the check
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def is_valid_mrn(mrn: str) -> bool:
    return len(mrn) == 8 and mrn.isdigit() and luhn_check_digit(mrn[:-1]) == mrn[-1]


def new_mrn() -> str:
    body = f"{secrets.randbelow(9_000_000) + 1_000_000}"
    return body + luhn_check_digit(body)
