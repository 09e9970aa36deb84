"""URL patterns of the review pages (included in supervision/urls.py)."""

urlpatterns = []
