from patients.mrn import is_valid_mrn, luhn_check_digit, new_mrn


def test_it_computes_the_luhn_check_digit_of_a_known_number():
    # 7992739871 is the textbook Luhn example; its check digit is 3.
    assert luhn_check_digit("7992739871") == "3"


def test_new_mrns_are_eight_digits_with_a_valid_check_digit():
    for _ in range(200):
        mrn = new_mrn()
        assert len(mrn) == 8
        assert is_valid_mrn(mrn)


def test_it_rejects_a_single_digit_typo():
    mrn = new_mrn()
    typo = mrn[:3] + str((int(mrn[3]) + 1) % 10) + mrn[4:]
    assert not is_valid_mrn(typo)
