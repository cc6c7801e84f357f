"""The whole site under /field/: every URL of the app moves, its static files stay. The offline
encounter screen and its service worker must follow, since they take their URLs from the server."""

from django.urls import include, path

urlpatterns = [path("field/", include("hrprogram.urls"))]
