from django.urls import path

from syncjobs.api.views import PaychexWebhookView

urlpatterns = [path("paychex/", PaychexWebhookView.as_view(), name="paychex-webhook")]
