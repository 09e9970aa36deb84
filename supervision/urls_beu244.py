"""URL patterns of the beu244 pages (included in supervision/urls.py)."""

urlpatterns = []
