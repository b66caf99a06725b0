from django.urls import path

from kechuang.cultivation import views

app_name = "cultivation"
urlpatterns = [path("self-assessment/", views.self_assessment, name="self_assessment")]
