import logging

from config.logging import RedactSecretsFilter, redact


def test_bearer_and_basic_credentials_are_redacted():
    assert "abc123" not in redact("Authorization: Bearer abc123")
    assert "dXNlcjpwYXNz" not in redact("{'Authorization': 'Basic dXNlcjpwYXNz'}")


def test_secret_form_fields_are_redacted():
    text = redact("grant_type=client_credentials&client_id=me&client_secret=s3cr3t&x=1")
    assert "s3cr3t" not in text and "client_id=me" in text


def test_the_filter_rewrites_the_record_message():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token access_token=%s", ("tok-999",), None)
    RedactSecretsFilter().filter(record)
    assert "tok-999" not in record.getMessage()
