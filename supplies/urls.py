from django.urls import path

from supplies import views

app_name = "supplies"

urlpatterns = [
    path("stock/", views.stock, name="stock"),
    path("receive/", views.receive, name="receive"),
    path("transfer/", views.transfer, name="transfer"),
    path("adjust/", views.adjust, name="adjust"),
    path("count/<int:location_id>/", views.count_sheet, name="count"),
    path("movements/", views.movement_list, name="movements"),
    path("collections/new/", views.collection_new, name="collection_new"),
    path("disposals/new/", views.disposal_new, name="disposal_new"),
    path("reversals/new/", views.reversal_new, name="reversal_new"),
    path("names/", views.names, name="names"),
]
