from django.http import HttpRequest


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """The request's CSP nonce as a plain string (the NHS.UK template needs a string)."""
    nonce = getattr(request, "csp_nonce", "")
    return {"csp_nonce": str(nonce)}
