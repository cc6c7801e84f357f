from django.urls import path, re_path

from cards import views

app_name = "cards"

urlpatterns = [
    path("participants/<str:public_id>/card/", views.card_print, name="print"),
    path("participants/<str:public_id>/card/replace/", views.card_replace, name="replace"),
    path("participants/<str:public_id>/card/withdraw/", views.card_revoke, name="revoke"),
    path("cards/<int:pk>/card.pdf", views.card_download, name="pdf"),
    path("cards/settings/", views.card_settings, name="settings"),
    path("cards/", views.check, name="check"),
    # Tokens are URL-safe base64 (new_card_token); anything else is no card.
    re_path(r"^cards/(?P<token>[A-Za-z0-9_-]{16,64})/$", views.verify, name="verify"),
]
