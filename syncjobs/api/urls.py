from django.urls import path

from syncjobs.api.views import PaychexWebhookView
from syncjobs.api.visma_views import VismaWebhookView

urlpatterns = [
    path("paychex/", PaychexWebhookView.as_view(), name="paychex-webhook"),
    path("visma/", VismaWebhookView.as_view(), name="visma-webhook"),
]
