from django.urls import path, register_converter

from kechuang.market import views

app_name = "market"


class KindConverter:
    """demands | achievements | scenarios (the three kinds of listing)."""

    regex = "demands|achievements|scenarios"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KindConverter, "listing")

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("board/", views.board, name="board"),
    path("matches/new/", views.match_create, name="match_create"),
    path("matches/<int:pk>/move/", views.match_move, name="match_move"),
    path("stats/", views.stats, name="stats"),
    path("roadshows/", views.roadshow_list, name="roadshows"),
    path("institutions/", views.institutions, name="institutions"),
    path("roadshows/new/", views.roadshow_new, name="roadshow_new"),
    path("roadshows/<int:pk>/", views.roadshow_detail, name="roadshow"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("lists/", views.lists, name="lists"),
    path("lists/issue/", views.list_issue, name="list_issue"),
    path("lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("lists/<int:pk>/list.xlsx", views.list_xlsx, name="list_xlsx"),
    path("lists/<int:pk>/list.docx", views.list_docx, name="list_docx"),
    path("public/<listing:slug>/", views.public_list, name="public_list"),
    path("public/<listing:slug>/<int:pk>/", views.public_detail, name="public_detail"),
    path("<listing:slug>/", views.listing_list_page, name="list"),
    path("<listing:slug>/new/", views.listing_new_page, name="new"),
    path("<listing:slug>/<int:pk>/", views.listing_detail, name="detail"),
    path("<listing:slug>/<int:pk>/step/", views.listing_step, name="step"),
    path("<listing:slug>/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
]
