from django.urls import path

from cards import views

app_name = "cards"

urlpatterns = [
    path("participants/<str:public_id>/card/", views.card_print, name="print"),
    path("participants/<str:public_id>/card/replace/", views.card_replace, name="replace"),
    path("participants/<str:public_id>/card/withdraw/", views.card_revoke, name="revoke"),
    path("cards/<int:pk>/card.pdf", views.card_download, name="pdf"),
    path("cards/settings/", views.card_settings, name="settings"),
    path("cards/", views.check, name="check"),
    # Any text: a damaged or mistyped address gets the page's own "not valid", in both languages.
    path("cards/<str:token>/", views.verify, name="verify"),
]
