"""`POST /webhooks/paychex/`: authenticate, check size and shape, store once, answer at once.

Nothing slow happens here: processing (which calls Paychex and Visma) is enqueued after commit.
"""
from __future__ import annotations

import json

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from syncjobs.api.auth import PaychexWebhookAuthentication
from syncjobs.inbox import InvalidNotification, count_rejection, store, validate


def _reject(reason: str, detail: str, status_code: int) -> Response:
    count_rejection(reason)
    return Response({"detail": detail}, status=status_code)


class PaychexWebhookView(APIView):
    authentication_classes = [PaychexWebhookAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes: list = []  # the body is read by hand, with a size cap

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, (AuthenticationFailed, NotAuthenticated)):
            count_rejection("auth")
        return super().handle_exception(exc)

    def post(self, request: Request) -> Response:
        limit = settings.SYNCJOBS["WEBHOOK_MAX_BODY_BYTES"]
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _reject("malformed", "Invalid Content-Length.", status.HTTP_400_BAD_REQUEST)
        if declared > limit:
            return _reject("too_large", f"Body larger than {limit} bytes.", status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        raw = request._request.read(limit + 1)
        if len(raw) > limit:
            return _reject("too_large", f"Body larger than {limit} bytes.", status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        try:
            body = validate(json.loads(raw))
        except (ValueError, UnicodeDecodeError) as exc:
            detail = str(exc) if isinstance(exc, InvalidNotification) else "The body is not valid JSON."
            return _reject("malformed", detail, status.HTTP_400_BAD_REQUEST)
        stored = store(body, request.user.connection_id)
        if stored.duplicate:
            return Response({"status": "duplicate"}, status=status.HTTP_200_OK)
        return Response({"status": stored.notification.status}, status=status.HTTP_202_ACCEPTED)
