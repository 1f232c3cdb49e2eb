"""`POST /webhooks/visma/`: verify Visma's signature, read the batch, queue targeted checks, answer at once.

A wrong or missing signature gets 401 and changes nothing (only the per-day rejection counter).
"""
from __future__ import annotations

import json

from django.conf import settings
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from syncjobs.inbox import count_rejection
from syncjobs.visma_webhooks import InvalidPayload, parse, queue_checks, verify


def _reject(reason: str, detail: str, status_code: int, **headers: str) -> Response:
    count_rejection(reason)
    return Response({"detail": detail}, status=status_code, headers=headers or None)


class VismaWebhookView(APIView):
    # The HMAC signature over the raw body is the authentication; it needs the body, so it is checked here.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes: list = []

    def post(self, request: Request) -> Response:
        limit = settings.SYNCJOBS["WEBHOOK_MAX_BODY_BYTES"]
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _reject("visma_malformed", "Invalid Content-Length.", status.HTTP_400_BAD_REQUEST)
        raw = b"" if declared > limit else request._request.read(limit + 1)
        if declared > limit or len(raw) > limit:
            return _reject("visma_too_large", f"Body larger than {limit} bytes.", status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        header = settings.SYNCJOBS["VISMA_WEBHOOK_SIGNATURE_HEADER"]
        connection_id = verify(raw, request.headers.get(header, ""))
        if connection_id is None:
            return _reject("visma_signature", "Missing or wrong signature.", status.HTTP_401_UNAUTHORIZED,
                           **{"WWW-Authenticate": f'HMAC-SHA256 header="{header}"'})
        try:
            hints = parse(json.loads(raw))
        except (ValueError, UnicodeDecodeError) as exc:
            detail = str(exc) if isinstance(exc, InvalidPayload) else "The body is not valid JSON."
            return _reject("visma_malformed", detail, status.HTTP_400_BAD_REQUEST)
        queue_checks(connection_id, hints)
        return Response({"employees": len(hints.employees), "catalog": hints.catalog, "ignored": hints.ignored},
                        status=status.HTTP_202_ACCEPTED)
