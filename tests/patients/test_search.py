from datetime import date

from patients.search import normalise_name, parse_patient_query


def test_it_reads_a_single_word_as_a_name():
    q = parse_patient_query("Smith")
    assert q.names == ("smith",)
    assert not q.mrn and q.date_of_birth is None


def test_it_reads_digits_as_an_mrn_ignoring_spaces_and_dashes():
    assert parse_patient_query("1234 5678").mrn == "12345678"
    assert parse_patient_query("1234-5678").mrn == "12345678"


def test_it_reads_iso_and_day_first_dates():
    assert parse_patient_query("1970-03-05").date_of_birth == date(1970, 3, 5)
    assert parse_patient_query("05/03/1970", date_order="DMY").date_of_birth == date(1970, 3, 5)
    assert parse_patient_query("5.3.1970", date_order="DMY").date_of_birth == date(1970, 3, 5)


def test_it_reads_month_first_dates_when_the_clinic_says_so():
    assert parse_patient_query("03/05/1970", date_order="MDY").date_of_birth == date(1970, 3, 5)


def test_it_combines_a_name_and_a_date_of_birth():
    q = parse_patient_query("smith 1970-03-05")
    assert q.names == ("smith",)
    assert q.date_of_birth == date(1970, 3, 5)


def test_it_marks_a_comma_as_family_name_first():
    q = parse_patient_query("Smith, Jo")
    assert q.names == ("smith", "jo")
    assert q.family_first


def test_it_reports_an_impossible_date_instead_of_guessing():
    q = parse_patient_query("31/02/1970")
    assert q.is_empty
    assert "not a valid date" in q.problems[0]


def test_it_strips_accents_case_and_punctuation_from_names():
    assert normalise_name("O'Brien-Núñez") == "obriennunez"
    assert normalise_name("ÇELİK") == normalise_name("çeli̇k")


def test_it_ignores_empty_input():
    assert parse_patient_query("   ").is_empty
