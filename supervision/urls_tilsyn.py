"""URL patterns of the tilsyn pages (included in supervision/urls.py)."""

urlpatterns = []
